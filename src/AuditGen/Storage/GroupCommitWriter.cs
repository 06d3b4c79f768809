using System.Threading.Channels;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Storage.Journal;

namespace AuditGen.Storage;

/// <summary>
/// The single writer of a chain (DESIGN §5). Callers enqueue into a bounded channel; one consumer drains up to
/// <see cref="AuditTrailOptions.MaxBatchSize"/> requests, assigns sequence, UUIDv7 id, timestamp and previous hash,
/// hashes, writes every frame of the group commit to the journal, fsyncs ONCE, and only then completes the callers.
/// The acknowledged batch then goes to the <see cref="QueryIndexer"/> through a bounded channel (backpressure).
/// Each record's leaf hash also goes into the trail's Merkle tree (<see cref="TrailTree"/>), whose new nodes are written
/// before the journal; when a checkpoint is due (<see cref="CheckpointPublisher"/>) the writer signs the tree's root
/// and adds the <c>checkpoint_signed</c> record to the same group commit, then exports it once it is durable.
/// If the journal cannot be written or synced, the writer is faulted: that batch, everything queued and every later
/// append fail with an <see cref="AuditTrailException"/> carrying the cause. Nothing is dropped silently.
/// </summary>
internal sealed class GroupCommitWriter
{
    private readonly Channel<WriteRequest> _requests;
    private readonly IJournalFile _journal;
    private readonly QueryIndexer _indexer;
    private readonly TimeProvider _time;
    private readonly int _maxBatchSize;
    private readonly UuidV7Generator _ids = new();
    private readonly ByteBufferWriter _frames = new(1 << 16);
    private readonly ByteBufferWriter _canonical = new(2048);
    private readonly List<WriteRequest> _batch = [];
    private readonly List<int> _frameOffsets = [];
    private readonly byte[] _previousHash = new byte[ChainHasher.HashSize];
    private string _previousHex;
    private long _nextSequence;
    private long _durableLength;
    private long _durableCount;
    private volatile AuditTrailException? _fault;
    private readonly TrailTree? _tree;
    private readonly object _treeGate;
    private readonly CheckpointPublisher? _checkpoints;
    private readonly ITimer? _timer;
    private readonly List<TaskCompletionSource<SignedCheckpoint>> _checkpointWaiters = [];

    /// <summary>Creates the writer; it continues the chain after <paramref name="nextSequence"/> − 1 and starts draining.</summary>
    public GroupCommitWriter(IJournalFile journal, QueryIndexer indexer, AuditTrailOptions options, long nextSequence, string previousHash, long durableLength,
        TrailTree? tree = null, CheckpointPublisher? checkpoints = null)
    {
        _tree = tree;
        _treeGate = tree?.Gate ?? new object();
        _checkpoints = tree is null ? null : checkpoints;
        _journal = journal;
        _indexer = indexer;
        _time = options.TimeProvider;
        _maxBatchSize = options.MaxBatchSize;
        _nextSequence = nextSequence;
        _durableCount = nextSequence;
        _durableLength = durableLength;
        _previousHex = previousHash;
        HashHex.TryDecode(previousHash, _previousHash);
        _requests = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        if (_checkpoints?.Interval is { } interval && interval > TimeSpan.Zero)
            _timer = _time.CreateTimer(static state => ((GroupCommitWriter)state!).Tick(), this, interval, interval);
        Completion = Task.Run(RunAsync);
    }

    /// <summary>Completes when the writer has drained its queue and stopped (after <see cref="Complete"/> or a fault).</summary>
    public Task Completion { get; }

    /// <summary>Bytes of the journal known durable.</summary>
    public long DurableLength => Volatile.Read(ref _durableLength);

    /// <summary>Records known durable (the next sequence after the durable tail).</summary>
    public long DurableCount => Volatile.Read(ref _durableCount);

    /// <summary>The fault, once the writer has failed.</summary>
    public AuditTrailException? Fault => _fault;

    /// <summary>Queues an entry; the task completes once its record is durable.</summary>
    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, string? canonicalDetails, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<AuditRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new WriteRequest(entry, canonicalDetails, completion);
        if (_requests.Writer.TryWrite(request))
            return new ValueTask<AuditRecord>(completion.Task);
        return EnqueueSlowAsync(request, completion.Task, cancellationToken);
    }

    /// <summary>Completes when everything queued before it is durable and indexed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var flush = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(new WriteRequest(flush), cancellationToken).ConfigureAwait(false);
        await flush.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Signs a checkpoint of every record queued before it; completes once its record is durable.</summary>
    /// <exception cref="AuditTrailException">Checkpoints are not configured, or the writer is closed or faulted.</exception>
    public async Task<SignedCheckpoint> CheckpointAsync(CancellationToken cancellationToken)
    {
        if (_checkpoints is null)
            throw new AuditTrailException("This trail signs no checkpoints: set AuditTrailOptions.Checkpoints (with a signing key) to sign them.");
        var checkpoint = new TaskCompletionSource<SignedCheckpoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(new WriteRequest(checkpoint), cancellationToken).ConfigureAwait(false);
        return await checkpoint.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The latest signed checkpoint the writer knows (recorded in the trail).</summary>
    public SignedCheckpoint? LatestCheckpoint => _checkpoints?.Latest;

    // Wakes an idle writer so an interval checkpoint is not left waiting for the next append. A full queue drops the
    // tick: the writer is busy then, and checks the interval at its next group commit anyway.
    private void Tick() => _requests.Writer.TryWrite(default);

    /// <summary>Stops accepting requests; queued ones are still written.</summary>
    public void Complete() => _requests.Writer.TryComplete();

    private async ValueTask<AuditRecord> EnqueueSlowAsync(WriteRequest request, Task<AuditRecord> completion, CancellationToken cancellationToken)
    {
        await EnqueueAsync(request, cancellationToken).ConfigureAwait(false);
        return await completion.ConfigureAwait(false);
    }

    private async ValueTask EnqueueAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _requests.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw ClosedOrFaulted(e);
        }
    }

    /// <summary>The exception for a request the writer will not take.</summary>
    public AuditTrailException ClosedOrFaulted(Exception? cause = null) => _fault is { } fault
        ? new AuditTrailException(fault.Message, fault.InnerException!)
        : cause is null
            ? new AuditTrailException("The audit trail is closed: it was disposed, so it accepts no more records.")
            : new AuditTrailException("The audit trail is closed: it was disposed, so it accepts no more records.", cause);

    private async Task RunAsync()
    {
        var reader = _requests.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                _batch.Clear();
                while (_batch.Count < _maxBatchSize && reader.TryRead(out var request))
                    _batch.Add(request);
                if (!await CommitAndIndexAsync(closing: false).ConfigureAwait(false))
                    return;
            }

            // Closing: sign what the last checkpoint does not cover, so the exported state ends where the trail does.
            _batch.Clear();
            if (_checkpoints is not null && _checkpoints.IsDue(_nextSequence, _time.GetUtcNow(), requested: false, closing: true))
                await CommitAndIndexAsync(closing: true).ConfigureAwait(false);
        }
        finally
        {
            _timer?.Dispose();
            _indexer.Complete();
        }
    }

    private async Task<bool> CommitAndIndexAsync(bool closing)
    {
        IndexBatch indexBatch;
        try
        {
            indexBatch = Commit(closing);
        }
        catch (Exception e)
        {
            FailAndDrain($"The audit trail is faulted: its journal '{_journal.Path}' or Merkle tree could not be written or made durable ({e.Message}). " +
                "No further records are accepted; records acknowledged before this were durable.", e, _batch);
            return false;
        }

        try
        {
            await _indexer.EnqueueAsync(indexBatch).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            var cause = e.InnerException ?? e;
            var fault = FailAndDrain($"The audit trail is faulted: its query store failed ({cause.Message}). " +
                "Acknowledged records are durable in the journal and are replayed on the next open.", cause, []);
            indexBatch.Flushes?.ForEach(f => f.TrySetException(fault));
            return false;
        }
        return true;
    }

    private IndexBatch Commit(bool closing)
    {
        List<TaskCompletionSource>? flushes = null;
        var records = new List<AuditRecord>(_batch.Count + 1);
        var completions = new List<TaskCompletionSource<AuditRecord>?>(_batch.Count + 1);
        var checkpointRequested = false;
        SignedCheckpoint? signed = null;
        _frames.Clear();
        _frameOffsets.Clear();

        lock (_treeGate)
        {
            foreach (var request in _batch)
            {
                if (request.Flush is { } flush)
                    (flushes ??= []).Add(flush);
                else if (request.Checkpoint is { } waiter)
                {
                    _checkpointWaiters.Add(waiter);
                    checkpointRequested = true;
                }
                else if (request.Entry is { } entry)
                    AddRecord(entry, request.CanonicalDetails, request.Completion!, records, completions);
            }

            if (_checkpoints is { } checkpoints && _tree is { } tree)
            {
                var now = _time.GetUtcNow();
                if (checkpoints.IsDue(_nextSequence, now, checkpointRequested, closing))
                {
                    signed = checkpoints.Sign(_nextSequence, tree.Tree.Root(), now);
                    var (entry, details) = CheckpointRecords.Entry(signed);
                    AddRecord(entry, details, null, records, completions);
                }
            }

            // The tree's new nodes reach the file first: a failure here acknowledges nothing, like a journal failure.
            _tree?.Commit(sync: signed is not null);
        }

        if (records.Count > 0)
        {
            var commitFirst = records[0].Sequence;
            var frames = _frames.Written;
            for (var i = 0; i < _frameOffsets.Count; i++)
            {
                var start = _frameOffsets[i];
                var end = i + 1 < _frameOffsets.Count ? _frameOffsets[i + 1] : frames.Length;
                var payload = frames[(start + JournalFormat.FrameHeaderLength)..end];
                var header = frames.Slice(start, JournalFormat.FrameHeaderLength);
                JournalFormat.WriteFrameHeader(header, payload, commitFirst + i, commitFirst, records.Count, header.Slice(28, ChainHasher.HashSize));
            }

            // The durability barrier: one write and one fsync for the whole group commit, before any acknowledgement.
            _journal.Append(frames);
            _journal.FlushToDisk();
            Volatile.Write(ref _durableLength, _durableLength + frames.Length);
            Volatile.Write(ref _durableCount, _nextSequence);

            for (var i = 0; i < records.Count; i++)
                completions[i]?.TrySetResult(records[i]);
        }

        if (signed is not null)
        {
            // Published only once its record (and every record it covers) is durable.
            var exportFailure = _checkpoints!.Export(signed);
            foreach (var waiter in _checkpointWaiters)
            {
                if (exportFailure is null)
                    waiter.TrySetResult(signed);
                else
                    waiter.TrySetException(new AuditTrailException(
                        $"The checkpoint of tree size {signed.Checkpoint.TreeSize} was signed and recorded in the trail, but could not be exported: {exportFailure.Message}", exportFailure));
            }
            _checkpointWaiters.Clear();
        }
        else if (checkpointRequested)
        {
            // Nothing new since the latest checkpoint (only its own record): that one is current.
            foreach (var waiter in _checkpointWaiters)
                waiter.TrySetResult(_checkpoints!.Latest!);
            _checkpointWaiters.Clear();
        }
        return new IndexBatch(records, flushes);
    }

    // Sequences, hashes and frames one record, and adds its leaf to the tree (under the tree's lock).
    private void AddRecord(AuditEntry entry, string? canonicalDetails, TaskCompletionSource<AuditRecord>? completion,
        List<AuditRecord> records, List<TaskCompletionSource<AuditRecord>?> completions)
    {
        Span<byte> leaf = stackalloc byte[ChainHasher.HashSize];
        Span<byte> hash = stackalloc byte[ChainHasher.HashSize];
        Span<byte> hashHex = stackalloc byte[ChainHasher.HashSize * 2];
        var now = _time.GetUtcNow();
        var timestamp = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        var unhashed = SequencedRecord.From(entry, canonicalDetails, _nextSequence, _ids.Next(timestamp), timestamp, _previousHex);
        try
        {
            _canonical.Clear();
            AuditRecordCodec.Write(unhashed, _canonical, includeHash: false, detailsAreCanonical: true);
        }
        catch (ArgumentException e)
        {
            // The entry itself cannot be encoded (AppendAsync validates, so this is a caller bug): only this caller fails.
            completion?.TrySetException(e);
            return;
        }

        ChainHasher.ComputeLeaf(_canonical.Written, leaf);
        ChainHasher.ComputeChain(_previousHash, leaf, hash);
        _tree?.Tree.Append(leaf);
        var record = unhashed with { Hash = HashHex.Encode(hash) };

        var frameStart = _frames.Length;
        _frames.GetSpan(JournalFormat.FrameHeaderLength);
        _frames.Advance(JournalFormat.FrameHeaderLength);
        System.Text.Encoding.ASCII.GetBytes(record.Hash, hashHex);
        AuditRecordCodec.WriteFullFromCanonical(_canonical.Written, hashHex, _frames);
        _frameOffsets.Add(frameStart);
        // Header (sequence, hash) now; commit fields and CRC once the batch's size is known.
        hash.CopyTo(_frames.Written.Slice(frameStart + 28, ChainHasher.HashSize));

        hash.CopyTo(_previousHash);
        _previousHex = record.Hash;
        _nextSequence++;
        records.Add(record);
        completions.Add(completion);
    }

    private AuditTrailException FailAndDrain(string message, Exception cause, IEnumerable<WriteRequest> inFlight)
    {
        var fault = new AuditTrailException(message, cause);
        _fault = fault;
        _requests.Writer.TryComplete();
        foreach (var request in inFlight)
            request.Fail(new AuditTrailException(message, cause));
        while (_requests.Reader.TryRead(out var queued))
            queued.Fail(new AuditTrailException(message, cause));
        foreach (var waiter in _checkpointWaiters)
            waiter.TrySetException(new AuditTrailException(message, cause));
        _checkpointWaiters.Clear();
        return fault;
    }
}
