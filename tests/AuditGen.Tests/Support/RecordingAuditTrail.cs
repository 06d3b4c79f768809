using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AuditGen.Tests.Support;

/// <summary>
/// An in-memory <see cref="IAuditTrail"/> for tests. Every entry handed to <see cref="AppendAsync"/> is kept in
/// <see cref="Appended"/> (in call order, whether or not it later fails); acknowledged ones become records in
/// <see cref="Records"/>. Durability is modelled by a gate: while <see cref="HoldAppends"/> is in force, appends do not
/// complete until <see cref="ReleaseAppends"/>. Failures are injected with <see cref="FailAppendsWith"/>.
/// Its chain is its own (SHA-256 over the previous hash and the entry's JSON), not the canonical one; VerifyAsync
/// really re-hashes it.
/// </summary>
public sealed class RecordingAuditTrail : IAuditTrail
{
    private readonly object _gate = new();
    private readonly List<AuditEntry> _appended = [];
    private readonly List<(AuditEntry Entry, AuditRecord Record)> _records = [];
    private readonly List<Task> _pending = [];
    private TaskCompletionSource? _hold;
    private Func<AuditEntry, Exception?>? _failure;
    private bool _failSynchronously;

    public RecordingAuditTrail(AuditTrailOptions? options = null) => Options = options ?? new AuditTrailOptions();

    public AuditTrailOptions Options { get; }

    /// <summary>Every entry passed to AppendAsync, in call order.</summary>
    public IReadOnlyList<AuditEntry> Appended { get { lock (_gate) return _appended.ToArray(); } }

    /// <summary>The acknowledged (durable) records, in sequence order.</summary>
    public IReadOnlyList<AuditRecord> Records { get { lock (_gate) return _records.Select(r => r.Record).ToArray(); } }

    /// <summary>Holds every append from now on until <see cref="ReleaseAppends"/>.</summary>
    public void HoldAppends()
    {
        lock (_gate) _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Makes held appends durable.</summary>
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

    /// <summary>Fails appends for which <paramref name="failure"/> returns an exception: faulting the returned task, or thrown from AppendAsync itself.</summary>
    public void FailAppendsWith(Func<AuditEntry, Exception?> failure, bool synchronously = false)
    {
        lock (_gate)
        {
            _failure = failure;
            _failSynchronously = synchronously;
        }
    }

    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Task? hold;
        Exception? failure;
        bool failSynchronously;
        lock (_gate)
        {
            _appended.Add(entry);
            hold = _hold?.Task;
            failure = _failure?.Invoke(entry);
            failSynchronously = _failSynchronously;
        }

        if (failure is not null && failSynchronously)
            throw failure;
        if (failure is null && hold is null)
            return new ValueTask<AuditRecord>(Commit(entry));

        var task = CompleteLaterAsync(entry, hold, failure);
        lock (_gate) _pending.Add(task);
        return new ValueTask<AuditRecord>(task);
    }

    private async Task<AuditRecord> CompleteLaterAsync(AuditEntry entry, Task? hold, Exception? failure)
    {
        if (hold is not null)
            await hold.ConfigureAwait(false);
        else
            await Task.Yield();
        if (failure is not null)
            throw failure;
        return Commit(entry);
    }

    private AuditRecord Commit(AuditEntry entry)
    {
        lock (_gate)
        {
            var previous = _records.Count == 0 ? new string('0', 64) : _records[^1].Record.Hash;
            var record = SequencedRecord.From(entry, entry.Details, _records.Count, Guid.NewGuid(), Options.TimeProvider.GetUtcNow(), previous)
                with { Hash = Link(previous, entry) };
            _records.Add((entry, record));
            return record;
        }
    }

    private static string Link(string previous, AuditEntry entry) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(previous + JsonSerializer.Serialize(entry))));

    public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default)
    {
        (AuditEntry Entry, AuditRecord Record)[] records;
        lock (_gate) records = _records.ToArray();
        var previous = new string('0', 64);
        for (var i = 0; i < records.Length; i++)
        {
            var (entry, record) = records[i];
            if (record.Sequence != i)
                return Broken(i, VerificationFailure.Gap, $"record {i} has sequence {record.Sequence}");
            if (record.PreviousHash != previous)
                return Broken(i, VerificationFailure.PreviousHashMismatch, $"record {i} does not follow record {i - 1}");
            if (Link(previous, entry) != record.Hash)
                return Broken(i, VerificationFailure.HashMismatch, $"record {i} no longer hashes to its Hash");
            previous = record.Hash;
        }

        return new(new VerificationResult { RecordsChecked = records.Length, HeadHash = records.Length == 0 ? null : previous });

        ValueTask<VerificationResult> Broken(long sequence, VerificationFailure failure, string reason) =>
            new(new VerificationResult { RecordsChecked = sequence + 1, FirstBrokenSequence = sequence, Failure = failure, Reason = reason });
    }

    public async IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var yielded = 0;
        foreach (var record in Records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (query.Limit is { } limit && yielded >= limit) yield break;
            if (query.ConversationId is not null && record.ConversationId != query.ConversationId) continue;
            if (query.UserId is not null && record.UserId != query.UserId) continue;
            if (query.ToolName is not null && record.ToolName != query.ToolName) continue;
            if (query.Action is { } action && record.Action != action) continue;
            if (query.From is { } from && record.Timestamp < from) continue;
            if (query.To is { } to && record.Timestamp >= to) continue;
            yielded++;
            yield return record;
        }
    }

    /// <summary>Completes when every append made so far is durable; throws if one of them failed. A held gate keeps it waiting.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Task[] pending;
        lock (_gate) pending = _pending.ToArray();
        await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
