using System.Threading.Channels;
using LiteDB;

namespace AuditGen.Storage;

/// <summary>
/// Brings LiteDB (the query store) up to date with acknowledged records, after the acknowledgement, off the writer's
/// critical path. The number of records waiting is bounded, so a slow store slows the writer instead of falling
/// unboundedly behind; every batch waiting is coalesced into one LiteDB transaction. LiteDB's own commit is not
/// durable and need not be: the journal is, and it is replayed into LiteDB on open.
/// </summary>
internal sealed class QueryIndexer
{
    /// <summary>Most records per LiteDB transaction.</summary>
    private const int MaxDocumentsPerTransaction = 16_384;

    private readonly Channel<IndexBatch> _batches;
    private readonly ILiteCollection<BsonDocument> _collection;
    private readonly List<BsonDocument> _documents = [];
    private readonly List<TaskCompletionSource> _flushes = [];
    private readonly long _maxPendingRecords;
    private long _indexedCount;

    // The lag behind the journal is bounded in records, not batches: under many waiting writers a group commit holds
    // a handful of records, and a bound of a few dozen batches made every acknowledgement wait out each LiteDB stall
    // (fail-closed p99 ≈ 115 ms measured; ≈ 13 ms with the lag bounded by records).
    private long _pendingRecords;
    private TaskCompletionSource _space = NewSignal();

    /// <summary>
    /// Starts indexing into <paramref name="collection"/>, which already holds <paramref name="indexedCount"/> positions;
    /// the writer waits while more than <paramref name="maxPendingRecords"/> records are not yet indexed.
    /// </summary>
    public QueryIndexer(ILiteCollection<BsonDocument> collection, long indexedCount, int maxPendingRecords)
    {
        _collection = collection;
        _indexedCount = indexedCount;
        _maxPendingRecords = Math.Max(1, maxPendingRecords);
        _batches = Channel.CreateUnbounded<IndexBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Completion = Task.Run(RunAsync);
    }

    /// <summary>Completes when every batch handed over has been indexed (after <see cref="Complete"/>) or the indexer failed.</summary>
    public Task Completion { get; }

    /// <summary>Positions indexed so far.</summary>
    public long IndexedCount => Volatile.Read(ref _indexedCount);

    /// <summary>The failure that stopped the indexer, if any.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Hands a durable batch to the query store, waiting while the store lags more than the bound behind.</summary>
    /// <exception cref="ChannelClosedException">The indexer failed or was completed.</exception>
    public async ValueTask EnqueueAsync(IndexBatch batch)
    {
        while (Volatile.Read(ref _pendingRecords) >= _maxPendingRecords && Fault is null)
        {
            // Arm the signal before re-checking, so a drain between the check and the wait is never missed.
            var space = NewSignal();
            Volatile.Write(ref _space, space);
            if (Volatile.Read(ref _pendingRecords) < _maxPendingRecords || Fault is not null)
                break;
            await space.Task.ConfigureAwait(false);
        }

        Interlocked.Add(ref _pendingRecords, batch.Records.Count);
        if (!_batches.Writer.TryWrite(batch))
            throw new ChannelClosedException(Fault);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Drained(int records)
    {
        Interlocked.Add(ref _pendingRecords, -records);
        Volatile.Read(ref _space).TrySetResult();
    }

    /// <summary>No more batches will come.</summary>
    public void Complete() => _batches.Writer.TryComplete();

    private async Task RunAsync()
    {
        var reader = _batches.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            _documents.Clear();
            _flushes.Clear();
            while (_documents.Count < MaxDocumentsPerTransaction && reader.TryRead(out var batch))
            {
                foreach (var record in batch.Records)
                    _documents.Add(LiteDbRecordMapping.ToDocument(record.Sequence, record));
                if (batch.Flushes is { } flushes)
                    _flushes.AddRange(flushes);
            }

            try
            {
                if (_documents.Count > 0)
                {
                    _collection.InsertBulk(_documents, _documents.Count);
                    Volatile.Write(ref _indexedCount, _documents[^1]["_id"].AsInt64 + 1);
                    Drained(_documents.Count);
                }
            }
            catch (Exception e)
            {
                Fault = e;
                _batches.Writer.TryComplete(e);
                Volatile.Read(ref _space).TrySetResult();
                var failure = new AuditTrailException($"The query store could not index records: {e.Message}", e);
                _flushes.ForEach(f => f.TrySetException(failure));
                while (reader.TryRead(out var pending))
                    pending.Flushes?.ForEach(f => f.TrySetException(failure));
                return;
            }
            _flushes.ForEach(f => f.TrySetResult());
        }
    }
}
