using System.Diagnostics;
using System.Threading.Channels;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Storage.Journal;
using AuditGen.Telemetry;

namespace AuditGen.Storage;

/// <summary>
/// The single writer of a chain (DESIGN §5). Callers enqueue into a bounded channel; one consumer drains up to
/// <see cref="AuditTrailOptions.MaxBatchSize"/> requests, assigns sequence, UUIDv7 id, timestamp and previous hash,
/// hashes, writes every frame of the group commit to the journal, fsyncs ONCE, and only then completes the callers.
/// The acknowledged batch then goes to the <see cref="QueryIndexer"/> through a bounded channel (backpressure).
/// If the journal cannot be written or synced, the writer is faulted: that batch, everything queued and every later
/// append fail with an <see cref="AuditTrailException"/> carrying the cause. Nothing is dropped silently.
/// </summary>
internal sealed class GroupCommitWriter : IQueueDepthSource
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
    private readonly List<long> _queuedAt = [];
    private readonly byte[] _previousHash = new byte[ChainHasher.HashSize];
    private string _previousHex;
    private long _nextSequence;
    private long _durableLength;
    private long _durableCount;
    private volatile AuditTrailException? _fault;

    /// <summary>Creates the writer; it continues the chain after <paramref name="nextSequence"/> − 1 and starts draining.</summary>
    public GroupCommitWriter(IJournalFile journal, QueryIndexer indexer, AuditTrailOptions options, long nextSequence, string previousHash, long durableLength)
    {
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
        AuditGenMetrics.AddQueue(this);
        Completion = Task.Run(RunAsync);
    }

    /// <inheritdoc />
    public long QueueDepth => _requests.Reader.Count;

    /// <inheritdoc />
    public string QueueName => _journal.Path;

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
        var request = new WriteRequest(entry, canonicalDetails, completion, AuditGenMetrics.AppendDuration.Enabled ? Stopwatch.GetTimestamp() : 0);
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

                IndexBatch indexBatch;
                try
                {
                    indexBatch = Commit();
                }
                catch (Exception e)
                {
                    FailAndDrain($"The audit trail is faulted: its journal '{_journal.Path}' could not be written or made durable ({e.Message}). " +
                        "No further records are accepted; records acknowledged before this were durable.", e, _batch);
                    return;
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
                    return;
                }
            }
        }
        finally
        {
            AuditGenMetrics.RemoveQueue(this);
            _indexer.Complete();
        }
    }

    private IndexBatch Commit()
    {
        List<TaskCompletionSource>? flushes = null;
        var records = new List<AuditRecord>(_batch.Count);
        var completions = new List<TaskCompletionSource<AuditRecord>>(_batch.Count);
        _frames.Clear();
        _frameOffsets.Clear();
        _queuedAt.Clear();
        Span<byte> hash = stackalloc byte[ChainHasher.HashSize];
        Span<byte> hashHex = stackalloc byte[ChainHasher.HashSize * 2];

        foreach (var request in _batch)
        {
            if (request.Entry is not { } entry)
            {
                (flushes ??= []).Add(request.Flush!);
                continue;
            }

            var now = _time.GetUtcNow();
            var timestamp = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
            var unhashed = SequencedRecord.From(entry, request.CanonicalDetails, _nextSequence, _ids.Next(timestamp), timestamp, _previousHex);
            try
            {
                _canonical.Clear();
                AuditRecordCodec.Write(unhashed, _canonical, includeHash: false, detailsAreCanonical: true);
            }
            catch (ArgumentException e)
            {
                // The entry itself cannot be encoded (AppendAsync validates, so this is a caller bug): only this caller fails.
                request.Completion!.TrySetException(e);
                continue;
            }

            ChainHasher.ComputeHash(_previousHash, _canonical.Written, hash);
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
            completions.Add(request.Completion!);
            _queuedAt.Add(request.QueuedAt);
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
                completions[i].TrySetResult(records[i]);
            ReportAppended(records.Count);
        }
        return new IndexBatch(records, flushes);
    }

    private void ReportAppended(int count)
    {
        AuditGenTelemetry.RecordsAppended(count);
        var histogram = AuditGenMetrics.AppendDuration;
        if (!histogram.Enabled)
            return;
        foreach (var queuedAt in _queuedAt)
        {
            if (queuedAt != 0)
                histogram.Record(Stopwatch.GetElapsedTime(queuedAt).TotalSeconds);
        }
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
        return fault;
    }
}
