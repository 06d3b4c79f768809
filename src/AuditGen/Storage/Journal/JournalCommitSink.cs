using System.Threading.Channels;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Storage.Journal;

/// <summary>
/// The LiteDB trail's durability point: every frame of a group commit is written to the journal in one append and
/// fsynced ONCE before the writer acknowledges anyone; the acknowledged batch then goes to the <see cref="QueryIndexer"/>
/// through a bounded channel (backpressure). The chain's tail lives here, in memory: this process holds the write lock.
/// Each record's leaf hash also goes into the trail's Merkle tree (<see cref="TrailTree"/>), whose new nodes are written
/// before the journal; when a checkpoint is due (<see cref="CheckpointPublisher"/>) the sink signs the tree's root and
/// adds the <c>checkpoint_signed</c> record to the same group commit, then exports it once it is durable.
/// </summary>
internal sealed class JournalCommitSink : IGroupCommitSink
{
    private readonly IJournalFile _journal;
    private readonly QueryIndexer _indexer;
    private readonly ChainSequencer _sequencer;
    private readonly ByteBufferWriter _frames = new(1 << 16);
    private readonly List<int> _frameOffsets = [];
    private readonly List<RecordStamp> _stamps = [];
    private readonly ChainLinkWriter _writeFrame;
    private readonly TimeProvider _time;
    private readonly TrailTree? _tree;
    private readonly object _treeGate;
    private readonly CheckpointPublisher? _checkpoints;
    private readonly Erasure.VaultCommit? _vault;
    private ChainTail _tail;
    private long _durableLength;
    private long _durableCount;

    /// <summary>
    /// Continues the journal's chain after <paramref name="tail"/>; the journal's valid length is
    /// <paramref name="durableLength"/>. With a <paramref name="tree"/>, leaves go into it; with <paramref name="checkpoints"/>
    /// too, checkpoints are signed when due.
    /// </summary>
    public JournalCommitSink(IJournalFile journal, QueryIndexer indexer, AuditTrailOptions options, ChainTail tail, long durableLength,
        TrailTree? tree = null, CheckpointPublisher? checkpoints = null, Erasure.VaultCommit? vault = null)
    {
        _vault = vault;
        _journal = journal;
        _indexer = indexer;
        _time = options.TimeProvider;
        _sequencer = new ChainSequencer(options.TimeProvider);
        _tail = tail;
        _durableLength = durableLength;
        _durableCount = tail.NextSequence;
        _tree = tree;
        _treeGate = tree?.Gate ?? new object();
        _checkpoints = tree is null ? null : checkpoints;
        _writeFrame = WriteFrame;
    }

    /// <summary>Bytes of the journal known durable.</summary>
    public long DurableLength => Volatile.Read(ref _durableLength);

    /// <summary>Records known durable (the next sequence after the durable tail).</summary>
    public long DurableCount => Volatile.Read(ref _durableCount);

    /// <summary>The latest signed checkpoint the sink knows (recorded in the trail).</summary>
    public SignedCheckpoint? LatestCheckpoint => _checkpoints?.Latest;

    /// <inheritdoc />
    public string Name => _journal.Path;

    /// <inheritdoc />
    public bool SignsCheckpoints => _checkpoints is not null;

    /// <inheritdoc />
    public TimeSpan? WakeInterval => _checkpoints?.Interval;

    /// <inheritdoc />
    public ValueTask<SequencedBatch> CommitAsync(GroupCommit commit)
    {
        IReadOnlyList<WriteRequest> appends;
        if (_vault is null)
        {
            appends = commit.Appends;
            Erasure.VaultCommit.RefuseSealed(appends, _journal.Path);
        }
        else
        {
            // Subject keys are made durable before any record names them.
            appends = _vault.AssignKeys(commit.Appends);
        }
        _stamps.Clear();
        for (var i = 0; i < appends.Count; i++)
            _stamps.Add(_sequencer.Stamp());
        _frames.Clear();
        _frameOffsets.Clear();
        var batch = new SequencedBatch();
        var checkpointRequested = commit.CheckpointRequests.Count > 0;
        SignedCheckpoint? signed = null;
        ChainTail tail;
        lock (_treeGate)
        {
            tail = _sequencer.Link(appends, _stamps, _tail, batch, _writeFrame);
            if (_checkpoints is { } checkpoints && _tree is { } tree)
            {
                var now = _time.GetUtcNow();
                if (checkpoints.IsDue(tail.NextSequence, now, checkpointRequested, commit.Closing))
                {
                    signed = checkpoints.Sign(tail.NextSequence, tree.Tree.Root(), now);
                    var (entry, details) = CheckpointRecords.Entry(signed);
                    // The checkpoint's own record has no caller: nobody awaits this completion.
                    var record = new WriteRequest(entry, details, new TaskCompletionSource<AuditRecord>(TaskCreationOptions.RunContinuationsAsynchronously));
                    tail = _sequencer.Link([record], [_sequencer.Stamp()], tail, batch, _writeFrame);
                }
            }

            // The tree's new nodes reach the file first: a failure here acknowledges nothing, like a journal failure.
            _tree?.Commit(sync: signed is not null);
        }

        // Sealed payloads reach the vault (fsynced) before the journal's fsync acknowledges their records.
        _vault?.WritePayloads(batch);

        var records = batch.Records;
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

            // The durability point: one write and one fsync for the whole group commit, before any acknowledgement.
            _journal.Append(frames);
            _journal.FlushToDisk();
            Volatile.Write(ref _durableLength, _durableLength + frames.Length);
            Volatile.Write(ref _durableCount, tail.NextSequence);
            _tail = tail;
        }

        if (signed is not null)
        {
            // Published only once its record (and every record it covers) is durable.
            _checkpoints!.ExportAndRelease(signed, commit.CheckpointRequests, "the trail");
        }
        else if (checkpointRequested)
        {
            // Nothing new since the latest checkpoint (only its own record): that one is current.
            foreach (var waiter in commit.CheckpointRequests)
                waiter.TrySetResult(_checkpoints!.Latest!);
        }
        return new ValueTask<SequencedBatch>(batch);
    }

    // Frame header placeholder (sequence and hash now; commit fields and CRC once the batch's size is known), then the
    // full record built from the canonical bytes without encoding it again.
    private void WriteFrame(AuditRecord record, ReadOnlySpan<byte> canonical, ReadOnlySpan<byte> leaf, ReadOnlySpan<byte> hash)
    {
        _tree?.Tree.Append(leaf);
        var frameStart = _frames.Length;
        _frames.GetSpan(JournalFormat.FrameHeaderLength);
        _frames.Advance(JournalFormat.FrameHeaderLength);
        Span<byte> hashHex = stackalloc byte[ChainHasher.HashSize * 2];
        System.Text.Encoding.ASCII.GetBytes(record.Hash, hashHex);
        AuditRecordCodec.WriteFullFromCanonical(canonical, hashHex, _frames);
        _frameOffsets.Add(frameStart);
        hash.CopyTo(_frames.Written.Slice(frameStart + 28, ChainHasher.HashSize));
    }

    /// <inheritdoc />
    public async ValueTask AfterCommitAsync(SequencedBatch batch, List<TaskCompletionSource>? flushes)
    {
        try
        {
            await _indexer.EnqueueAsync(new IndexBatch(batch.Records, flushes)).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            var cause = e.InnerException ?? e;
            throw new AuditTrailException($"The audit trail is faulted: its query store failed ({cause.Message}). " +
                "Acknowledged records are durable in the journal and are replayed on the next open.", cause);
        }
    }

    /// <inheritdoc />
    public string DescribeFault(Exception cause) =>
        $"The audit trail is faulted: its journal '{_journal.Path}', Merkle tree or sealed-value vault could not be written or made durable ({cause.Message}). " +
        "No further records are accepted; records acknowledged before this were durable.";

    /// <inheritdoc />
    public void Complete() => _indexer.Complete();
}
