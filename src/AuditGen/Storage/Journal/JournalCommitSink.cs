using System.Threading.Channels;
using AuditGen.Canonical;
using AuditGen.Integrity;

namespace AuditGen.Storage.Journal;

/// <summary>
/// The LiteDB trail's durability point: every frame of a group commit is written to the journal in one append and
/// fsynced ONCE before the writer acknowledges anyone; the acknowledged batch then goes to the <see cref="QueryIndexer"/>
/// through a bounded channel (backpressure). The chain's tail lives here, in memory: this process holds the write lock.
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
    private ChainTail _tail;
    private long _durableLength;

    /// <summary>Continues the journal's chain after <paramref name="tail"/>; the journal's valid length is <paramref name="durableLength"/>.</summary>
    public JournalCommitSink(IJournalFile journal, QueryIndexer indexer, AuditTrailOptions options, ChainTail tail, long durableLength)
    {
        _journal = journal;
        _indexer = indexer;
        _sequencer = new ChainSequencer(options.TimeProvider);
        _tail = tail;
        _durableLength = durableLength;
        _writeFrame = WriteFrame;
    }

    /// <summary>Bytes of the journal known durable.</summary>
    public long DurableLength => Volatile.Read(ref _durableLength);

    /// <inheritdoc />
    public ValueTask<SequencedBatch> CommitAsync(IReadOnlyList<WriteRequest> appends)
    {
        _stamps.Clear();
        for (var i = 0; i < appends.Count; i++)
            _stamps.Add(_sequencer.Stamp());
        _frames.Clear();
        _frameOffsets.Clear();
        var batch = new SequencedBatch();
        var tail = _sequencer.Link(appends, _stamps, _tail, batch, _writeFrame);

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
            _tail = tail;
        }
        return new ValueTask<SequencedBatch>(batch);
    }

    // Frame header placeholder (sequence and hash now; commit fields and CRC once the batch's size is known), then the
    // full record built from the canonical bytes without encoding it again.
    private void WriteFrame(AuditRecord record, ReadOnlySpan<byte> canonical, ReadOnlySpan<byte> hash)
    {
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
        $"The audit trail is faulted: its journal '{_journal.Path}' could not be written or made durable ({cause.Message}). " +
        "No further records are accepted; records acknowledged before this were durable.";

    /// <inheritdoc />
    public void Complete() => _indexer.Complete();
}
