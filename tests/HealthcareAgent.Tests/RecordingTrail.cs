using System.Runtime.CompilerServices;
using AuditGen;

namespace HealthcareAgent.Tests;

/// <summary>An in-memory <see cref="IAuditTrail"/> that keeps what it is asked to append, for tests of the agent alone.</summary>
internal sealed class RecordingTrail : IAuditTrail
{
    private readonly List<AuditEntry> _entries = [];

    public IReadOnlyList<AuditEntry> Entries => _entries;

    public AuditTrailOptions Options { get; } = new() { HmacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray() };

    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        _entries.Add(entry);
        return ValueTask.FromResult(new AuditRecord
        {
            Sequence = _entries.Count - 1,
            Id = Guid.CreateVersion7(),
            Timestamp = DateTimeOffset.UnixEpoch,
            Action = entry.Action,
            ConversationId = entry.ConversationId,
            UserId = entry.UserId,
            AgentName = entry.AgentName,
            PreviousHash = new string('0', 64),
            Hash = new string('0', 64),
        });
    }

    public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new VerificationResult { RecordsChecked = _entries.Count });

    public async IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield break;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
