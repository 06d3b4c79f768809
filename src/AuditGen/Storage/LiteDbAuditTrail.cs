using System.Runtime.CompilerServices;
using AuditGen.Canonical;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Storage;
using AuditGen.Storage.Journal;
using LiteDB;

namespace AuditGen;

/// <summary>A trail stored in an embedded LiteDB file, made durable by an fsynced journal. Open with <see cref="AuditTrail.OpenLiteDb(string, AuditTrailOptions?)"/>.</summary>
/// <remarks>
/// Appends go through one <c>GroupCommitWriter</c>: a group commit is written to the journal (<c>{path}.journal</c>)
/// and fsynced once before its callers are acknowledged; LiteDB is the query store, brought up to date after the
/// acknowledgement and from the journal's tail on open.
/// </remarks>
public sealed partial class LiteDbAuditTrail : IAuditTrail, IAsyncDisposable, IDisposable, Erasure.ISealingTrail
{
    private const int PageSize = 4096;

    private readonly string _path;
    private readonly LiteDatabase _database;
    private readonly ILiteCollection<BsonDocument> _records;
    private readonly IJournalFile _journal;
    private readonly WriteLock? _lock;
    private readonly GroupCommitWriter? _writer;
    private readonly JournalCommitSink? _sink;
    private readonly QueryIndexer? _indexer;
    private readonly TrailTree? _tree;
    private readonly SignedCheckpoint? _openedCheckpoint;
    private int _disposed;

    private LiteDbAuditTrail(string path, AuditTrailOptions options, LiteDatabase database, ILiteCollection<BsonDocument> records,
        IJournalFile journal, WriteLock? writeLock, JournalState state, TrailTree? tree, CheckpointPublisher? checkpoints, SignedCheckpoint? latestCheckpoint,
        Erasure.ISealVault? vault)
    {
        _vault = vault;
        _tree = tree;
        _openedCheckpoint = latestCheckpoint;
        _path = path;
        Options = options;
        _database = database;
        _records = records;
        _journal = journal;
        _lock = writeLock;
        if (!options.ReadOnly)
        {
            _indexer = new QueryIndexer(records, state.FrameCount, maxPendingRecords: options.QueueCapacity);
            _sink = new JournalCommitSink(journal, _indexer, options, new ChainTail(state.FrameCount, state.LastHash), state.Length, tree, checkpoints,
                Erasure.VaultCommit.For(vault, options));
            _writer = new GroupCommitWriter(_sink, options);
        }
    }

    /// <inheritdoc />
    public AuditTrailOptions Options { get; }

    /// <inheritdoc />
    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (_writer is null)
            throw new AuditTrailException($"The audit trail '{_path}' was opened read-only; it accepts no appends.");
        return _writer.AppendForTrailAsync(entry, trailClosed: Volatile.Read(ref _disposed) != 0, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        _writer?.FlushForTrailAsync(trailClosed: Volatile.Read(ref _disposed) != 0, cancellationToken) ?? ValueTask.CompletedTask;

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var remaining = query.Limit ?? int.MaxValue;
        if (remaining <= 0)
            yield break;

        // Snapshot the query store's extent first; anything beyond it comes from the journal (read-only trails).
        var storeEnd = ReadStoreEnd();
        var filter = LiteDbRecordMapping.ToFilter(query);
        var after = -1L;
        while (remaining > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var wanted = Math.Min(remaining, PageSize);
            var page = ReadPage(filter, after, storeEnd, wanted);
            foreach (var (position, record) in page)
            {
                after = position;
                if (record is null)
                    continue; // an archived record's stub: its content is in an archive segment
                yield return record;
                remaining--;
            }
            if (page.Count < wanted)
                break;
        }

        if (_writer is null && remaining > 0)
        {
            foreach (var record in ReadJournalRecords(storeEnd))
            {
                if (!LiteDbRecordMapping.Matches(query, record))
                    continue;
                yield return record;
                if (--remaining == 0)
                    yield break;
            }
        }
    }

    /// <summary>Drains pending appends, makes them durable, brings the query store up to date and releases the lock.</summary>
    /// <exception cref="AuditTrailException">The trail had faulted (the cause is inside); resources are released regardless.</exception>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            if (_writer is not null)
            {
                _writer.Complete();
                await _writer.Completion.ConfigureAwait(false);
                await _indexer!.Completion.ConfigureAwait(false);
                if (_writer.Fault is null)
                    _tree?.Close();
            }
        }
        finally
        {
            _tree?.Dispose();
            _vault?.Dispose();
            _database.Dispose();
            _journal.Dispose();
            _lock?.Dispose();
        }
        if (_writer?.Fault is not null)
            throw _writer.ClosedOrFaulted();
        if (_indexer?.Fault is { } indexFault)
            throw new AuditTrailException(
                $"The query store of '{_path}' failed while the trail was closing ({indexFault.Message}). " +
                "Every acknowledged record is durable in the journal and is replayed into the store on the next open.", indexFault);
    }

    /// <summary>Synchronous <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
            throw new AuditTrailException($"The audit trail '{_path}' is closed: it was disposed.");
    }

    // One past the highest integer _id in the query store.
    private long ReadStoreEnd()
    {
        var last = _records.Query().OrderByDescending("_id").Limit(1).FirstOrDefault();
        return last is null ? 0 : LiteDbRecordMapping.PositionOf(last) + 1;
    }

    // Stubs of archived records come back as (position, null), so callers can page on the documents read.
    private List<(long Position, AuditRecord? Record)> ReadPage(BsonExpression? filter, long after, long before, int count)
    {
        var range = Query.And(Query.GT("_id", after), Query.LT("_id", before));
        // Unfiltered, the primary-key index scan already yields _id order; a filter may pick another index, so sort.
        var documents = filter is null
            ? _records.Query().Where(range).Limit(count).ToList()
            : _records.Query().Where(Query.And(filter, range)).OrderBy("_id").Limit(count).ToList();
        var page = new List<(long, AuditRecord?)>(documents.Count);
        foreach (var document in documents)
        {
            var position = LiteDbRecordMapping.PositionOf(document);
            if (LiteDbStubs.IsStub(document))
            {
                page.Add((position, null));
                continue;
            }
            try
            {
                page.Add((position, LiteDbRecordMapping.FromDocument(document)));
            }
            catch (FormatException e)
            {
                throw new AuditStoreCorruptException($"The record at position {position} of '{_path}' cannot be read: {e.Message} Run VerifyAsync for the full diagnosis.", e);
            }
        }
        return page;
    }

    // Journal records from sequence `from` on, up to the end of the valid frames.
    private IEnumerable<AuditRecord> ReadJournalRecords(long from)
    {
        using var stream = _journal.OpenRead();
        using var reader = new JournalReader(stream, _journal.Path);
        while (reader.TryReadNext(out var frame))
        {
            if (frame.Header.Sequence < from || JournalStub.IsStub(frame.Payload.Span))
                continue;
            AuditRecord record;
            try
            {
                record = AuditRecordCodec.Deserialize(frame.Payload.Span);
            }
            catch (FormatException e)
            {
                throw new AuditStoreCorruptException($"The journal frame of sequence {frame.Header.Sequence} in '{_journal.Path}' cannot be read: {e.Message}", e);
            }
            yield return record;
        }
    }
}
