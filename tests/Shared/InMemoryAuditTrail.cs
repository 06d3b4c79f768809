using System.Runtime.CompilerServices;

namespace AuditGen.Testing;

/// <summary>
/// An in-memory <see cref="IAuditTrail"/> for adapter tests (linked into several test projects). Every entry passed to
/// <see cref="AppendAsync"/> is kept in <see cref="Appended"/> in call order; acknowledged ones in <see cref="Acknowledged"/>.
/// While <see cref="HoldAppends"/> is in force appends stay pending until <see cref="ReleaseAppends"/>;
/// <see cref="FailAppendsWith"/> injects failures.
/// </summary>
public sealed class InMemoryAuditTrail(AuditTrailOptions options) : IAuditTrail
{
    private readonly object _gate = new();
    private readonly List<AuditEntry> _appended = [];
    private readonly List<AuditEntry> _acknowledged = [];
    private readonly List<Task> _pending = [];
    private TaskCompletionSource? _hold;
    private Func<AuditEntry, Exception?>? _failure;

    public AuditTrailOptions Options { get; } = options;

    public IReadOnlyList<AuditEntry> Appended { get { lock (_gate) return _appended.ToArray(); } }

    public IReadOnlyList<AuditEntry> Acknowledged { get { lock (_gate) return _acknowledged.ToArray(); } }

    public void HoldAppends()
    {
        lock (_gate) _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void ReleaseAppends()
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            hold = _hold;
            _hold = null;
        }

        hold?.TrySetResult();
    }

    public void FailAppendsWith(Func<AuditEntry, Exception?> failure)
    {
        lock (_gate) _failure = failure;
    }

    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        Task? hold;
        Exception? failure;
        lock (_gate)
        {
            _appended.Add(entry);
            hold = _hold?.Task;
            failure = _failure?.Invoke(entry);
        }

        if (failure is null && hold is null)
            return new ValueTask<AuditRecord>(Acknowledge(entry));
        var task = LaterAsync(entry, hold, failure);
        lock (_gate) _pending.Add(task);
        return new ValueTask<AuditRecord>(task);
    }

    private async Task<AuditRecord> LaterAsync(AuditEntry entry, Task? hold, Exception? failure)
    {
        if (hold is not null)
            await hold.ConfigureAwait(false);
        else
            await Task.Yield();
        if (failure is not null)
            throw failure;
        return Acknowledge(entry);
    }

    private AuditRecord Acknowledge(AuditEntry entry)
    {
        lock (_gate)
        {
            _acknowledged.Add(entry);
            return new AuditRecord
            {
                Sequence = _acknowledged.Count - 1,
                Id = Guid.CreateVersion7(),
                Timestamp = DateTimeOffset.UnixEpoch,
                Action = entry.Action,
                PreviousHash = new string('0', 64),
                Hash = new string('0', 64),
            };
        }
    }

    public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new VerificationResult { RecordsChecked = Acknowledged.Count });

    public async IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield break;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Task[] pending;
        lock (_gate) pending = _pending.ToArray();
        await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
