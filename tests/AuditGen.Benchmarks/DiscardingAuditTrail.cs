using System.Runtime.CompilerServices;

namespace AuditGen.Benchmarks;

/// <summary>A trail that accepts every entry at once and keeps nothing: isolates the wrapper's own cost.</summary>
internal sealed class DiscardingAuditTrail(AuditTrailOptions options) : IAuditTrail
{
    private static readonly AuditRecord Accepted = new()
    {
        Sequence = 0, Id = Guid.Empty, Timestamp = DateTimeOffset.UnixEpoch, Action = AuditAction.ToolInvoked,
        PreviousHash = new string('0', 64), Hash = new string('0', 64),
    };

    public long Appended;

    public AuditTrailOptions Options { get; } = options;

    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        Appended++;
        return new ValueTask<AuditRecord>(Accepted);
    }

    public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) =>
        new(new VerificationResult { RecordsChecked = 0 });

    public async IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield break;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
