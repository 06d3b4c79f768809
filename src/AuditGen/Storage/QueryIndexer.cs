using System.Threading.Channels;
using LiteDB;

namespace AuditGen.Storage;

/// <summary>
/// Brings LiteDB (the query store) up to date with acknowledged records, after the acknowledgement, off the writer's
/// critical path. Batches arrive through a bounded channel, so a slow store slows the writer instead of falling
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
    private long _indexedCount;

    /// <summary>Starts indexing into <paramref name="collection"/>, which already holds <paramref name="indexedCount"/> positions.</summary>
    public QueryIndexer(ILiteCollection<BsonDocument> collection, long indexedCount, int capacityInBatches)
    {
        _collection = collection;
        _indexedCount = indexedCount;
        _batches = Channel.CreateBounded<IndexBatch>(new BoundedChannelOptions(capacityInBatches)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Completion = Task.Run(RunAsync);
    }

    /// <summary>Completes when every batch handed over has been indexed (after <see cref="Complete"/>) or the indexer failed.</summary>
    public Task Completion { get; }

    /// <summary>Positions indexed so far.</summary>
    public long IndexedCount => Volatile.Read(ref _indexedCount);

    /// <summary>The failure that stopped the indexer, if any.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Hands over a batch; waits while the indexer is too far behind. Throws <see cref="ChannelClosedException"/> (with the cause) once it has failed.</summary>
    public ValueTask EnqueueAsync(IndexBatch batch) => _batches.Writer.WriteAsync(batch);

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
                }
            }
            catch (Exception e)
            {
                Fault = e;
                _batches.Writer.TryComplete(e);
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
