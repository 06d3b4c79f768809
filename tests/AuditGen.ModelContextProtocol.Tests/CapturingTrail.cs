using System.Runtime.CompilerServices;

namespace AuditGen.ModelContextProtocol.Tests;

/// <summary>A trail that keeps entries in memory, or refuses every append when <see cref="Fail"/> is set.</summary>
internal sealed class CapturingTrail(AuditTrailOptions options) : IAuditTrail
{
    private static readonly AuditRecord Accepted = new()
    {
        Sequence = 0, Id = Guid.Empty, Timestamp = DateTimeOffset.UnixEpoch, Action = AuditAction.ToolInvoked,
        PreviousHash = new string('0', 64), Hash = new string('0', 64),
    };

    public bool Fail { get; init; }

    public List<AuditEntry> Entries { get; } = [];

    public AuditTrailOptions Options { get; } = options;

    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        if (Fail)
            return ValueTask.FromException<AuditRecord>(new IOException("disk full"));
        lock (Entries) Entries.Add(entry);
        return new ValueTask<AuditRecord>(Accepted);
    }

    public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) => new(new VerificationResult { RecordsChecked = 0 });

    public async IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield break;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
