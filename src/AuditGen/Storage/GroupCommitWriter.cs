using System.Diagnostics;
using System.Threading.Channels;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Telemetry;

namespace AuditGen.Storage;

/// <summary>
/// The single writer of a chain in this process (DESIGN §5). Callers enqueue into a bounded channel; one consumer drains
/// up to <see cref="AuditTrailOptions.MaxBatchSize"/> requests and hands the appends (and checkpoint requests) to its
/// <see cref="IGroupCommitSink"/>, which sequences, hashes and makes them durable in one step (an fsynced journal write,
/// a database transaction); only then are the callers completed. If the sink fails in a way it cannot recover from, the
/// writer is faulted: that batch, everything queued and every later append fail with an <see cref="AuditTrailException"/>
/// carrying the cause. A sink may instead reject one batch (<see cref="GroupCommitRejectedException"/>): its callers
/// fail and the writer goes on. Nothing is dropped silently. When the sink asks for it (<see cref="IGroupCommitSink.WakeInterval"/>:
/// checkpoints on an interval, an idle connection to give back), a timer wakes an idle writer; on close, the writer gives the sink a last, empty commit to sign what is not yet covered.
/// </summary>
internal sealed class GroupCommitWriter : IQueueDepthSource
{
    private readonly Channel<WriteRequest> _requests;
    private readonly IGroupCommitSink _sink;
    private readonly int _maxBatchSize;
    private readonly List<WriteRequest> _appends = [];
    private readonly ITimer? _timer;
    private readonly long _lingerTicks;
    private volatile AuditTrailException? _fault;

    // Requests queued while the last group commit was in progress, and commits left before the writer lingers again.
    private int _queuedAtAcknowledgement;
    private int _commitsWithoutLinger;

    /// <summary>Lingers started (for tests and diagnostics).</summary>
    internal int Lingers { get; private set; }

    /// <summary>Lingers that ran out before the released callers were back.</summary>
    internal int LingerTimeouts { get; private set; }

    /// <summary>After a linger that ran out, this many group commits do not linger.</summary>
    internal const int CommitsWithoutLingerAfterTimeout = 8;

    /// <summary>Creates the writer over <paramref name="sink"/> and starts draining.</summary>
    public GroupCommitWriter(IGroupCommitSink sink, AuditTrailOptions options)
    {
        _sink = sink;
        _maxBatchSize = options.MaxBatchSize;
        _lingerTicks = (long)(options.GroupCommitLinger.TotalSeconds * Stopwatch.Frequency);
        _requests = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        if (sink.WakeInterval is { } interval && interval > TimeSpan.Zero)
            _timer = options.TimeProvider.CreateTimer(static state => ((GroupCommitWriter)state!).Tick(), this, interval, interval);
        AuditGenMetrics.AddQueue(this);
        Completion = Task.Run(RunAsync);
    }

    /// <inheritdoc />
    public long QueueDepth => _requests.Reader.Count;

    /// <inheritdoc />
    public string QueueName => _sink.Name;

    /// <summary>Completes when the writer has drained its queue and stopped (after <see cref="Complete"/> or a fault).</summary>
    public Task Completion { get; }

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

    /// <summary>
    /// A trail's append: refused once the trail is closed (<paramref name="trailClosed"/>), the entry validated and its
    /// details canonicalized, then queued. Shared by every store so their append contracts cannot drift.
    /// </summary>
    public ValueTask<AuditRecord> AppendForTrailAsync(AuditEntry entry, bool trailClosed, CancellationToken cancellationToken)
    {
        if (trailClosed)
            throw ClosedOrFaulted();
        cancellationToken.ThrowIfCancellationRequested();
        var details = AppendValidation.Prepare(entry);
        return AppendAsync(entry, details, cancellationToken);
    }

    /// <summary>A trail's flush: a closed trail has nothing pending and succeeds, unless the writer faulted.</summary>
    public ValueTask FlushForTrailAsync(bool trailClosed, CancellationToken cancellationToken)
    {
        if (!trailClosed)
            return new ValueTask(FlushAsync(cancellationToken));
        return _fault is null ? ValueTask.CompletedTask : ValueTask.FromException(ClosedOrFaulted());
    }

    /// <summary>Completes when everything queued before it is durable and visible to queries.</summary>
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
        if (!_sink.SignsCheckpoints)
            throw new AuditTrailException("This trail signs no checkpoints: set AuditTrailOptions.Checkpoints (with a signing key) to sign them.");
        var checkpoint = new TaskCompletionSource<SignedCheckpoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        await EnqueueAsync(new WriteRequest(checkpoint), cancellationToken).ConfigureAwait(false);
        return await checkpoint.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // Wakes an idle writer so an interval checkpoint is not left waiting for the next append. A full queue drops the
    // tick: the writer is busy then, and the sink checks the interval at its next group commit anyway.
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
        var expected = 0;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                Linger(reader, expected);
                _appends.Clear();
                List<TaskCompletionSource>? flushes = null;
                var checkpoints = new List<TaskCompletionSource<SignedCheckpoint>>();
                var taken = 0;
                while (taken < _maxBatchSize && reader.TryRead(out var request))
                {
                    taken++;
                    if (request.Entry is not null)
                        _appends.Add(request);
                    else if (request.Flush is { } flush)
                        (flushes ??= []).Add(flush);
                    else if (request.Checkpoint is { } checkpoint)
                        checkpoints.Add(checkpoint);
                    // Otherwise a timer tick: the commit below lets the sink sign a checkpoint that came due.
                }
                var released = _appends.Count;
                if (!await CommitAsync(new GroupCommit(_appends, checkpoints, closing: false), flushes).ConfigureAwait(false))
                    return;
                // Back-to-back callers: those just released and those that queued meanwhile make the next batch. (One
                // released caller and nobody queued: the first request to arrive is all there is to wait for.)
                expected = Math.Min(_maxBatchSize, released + _queuedAtAcknowledgement);
            }

            _appends.Clear();
            await CommitAsync(new GroupCommit(_appends, [], closing: true), null).ConfigureAwait(false);
        }
        finally
        {
            AuditGenMetrics.RemoveQueue(this);
            _timer?.Dispose();
            _sink.Complete();
        }
    }

    // Waits (yielding the CPU, so the released callers can run) until `expected` requests are queued, the linger runs
    // out, or lingering is off. Synchronous: a linger is shorter than a hop through the thread pool's timer.
    private void Linger(ChannelReader<WriteRequest> reader, int expected)
    {
        if (expected == 0 || _lingerTicks == 0 || reader.Count >= expected)
            return;
        if (_commitsWithoutLinger > 0)
        {
            _commitsWithoutLinger--;
            return;
        }
        Lingers++;
        var start = Stopwatch.GetTimestamp();
        while (reader.Count < expected)
        {
            if (Stopwatch.GetTimestamp() - start >= _lingerTicks)
            {
                LingerTimeouts++;
                _commitsWithoutLinger = CommitsWithoutLingerAfterTimeout;
                return;
            }
            Thread.Yield();
        }
    }

    // One group commit through the sink, then the acknowledgements. False when the writer is faulted.
    private async Task<bool> CommitAsync(GroupCommit commit, List<TaskCompletionSource>? flushes)
    {
        SequencedBatch batch;
        try
        {
            batch = await _sink.CommitAsync(commit).ConfigureAwait(false);
        }
        catch (GroupCommitRejectedException rejected)
        {
            var failure = new AuditTrailException(rejected.Message, rejected.InnerException!);
            foreach (var append in commit.Appends)
                append.Fail(failure);
            flushes?.ForEach(f => f.TrySetException(failure));
            commit.CheckpointRequests.ForEach(c => c.TrySetException(failure));
            return true;
        }
        catch (Exception e)
        {
            var fault = FailAndDrain(_sink.DescribeFault(e), e, commit.Appends);
            flushes?.ForEach(f => f.TrySetException(fault));
            commit.CheckpointRequests.ForEach(c => c.TrySetException(fault));
            return false;
        }

        // The durability point has passed for every record of the batch: acknowledge.
        _queuedAtAcknowledgement = _requests.Reader.Count;
        for (var i = 0; i < batch.Records.Count; i++)
            batch.Completions[i].TrySetResult(batch.Records[i]);
        if (batch.Records.Count > 0)
            ReportAppended(commit.Appends, batch.Records.Count);

        try
        {
            await _sink.AfterCommitAsync(batch, flushes).ConfigureAwait(false);
        }
        catch (AuditTrailException e)
        {
            var fault = FailAndDrain(e.Message, e.InnerException ?? e, []);
            flushes?.ForEach(f => f.TrySetException(fault));
            return false;
        }
        return true;
    }

    private static void ReportAppended(IReadOnlyList<WriteRequest> appends, int count)
    {
        AuditGenTelemetry.RecordsAppended(count);
        var histogram = AuditGenMetrics.AppendDuration;
        if (!histogram.Enabled)
            return;
        foreach (var append in appends)
        {
            if (append.QueuedAt != 0 && append.Completion!.Task.IsCompletedSuccessfully)
                histogram.Record(Stopwatch.GetElapsedTime(append.QueuedAt).TotalSeconds);
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
