using System.Runtime.CompilerServices;

namespace AuditGen.Hosting.Tests;

/// <summary>A store opened through UseStore that notes what the host does with it.</summary>
internal sealed class CountingStore(AuditTrailOptions options) : IAuditTrail, IAsyncDisposable
{
    private int _disposed;

    public AuditTrailOptions Options { get; } = options;

    public List<string> Calls { get; } = [];

    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This store only records its lifecycle.");

    public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) =>
        new(new VerificationResult { RecordsChecked = 0 });

    public async IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield break;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Calls.Add("flush");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        // Idempotent, as the dispose contract requires: the provider disposes it again when the host is disposed.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            Calls.Add("dispose");
        return ValueTask.CompletedTask;
    }
}
