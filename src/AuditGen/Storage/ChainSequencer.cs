using AuditGen.Canonical;
using AuditGen.Integrity;

namespace AuditGen.Storage;

/// <summary>The end of a chain a group commit continues: the next sequence and the hash of the record before it.</summary>
internal readonly record struct ChainTail(long NextSequence, string PreviousHash)
{
    /// <summary>An empty chain.</summary>
    public static ChainTail Genesis => new(0, HashHex.Zero);
}

/// <summary>The writer's facts about one entry that do not depend on its place in the chain: its UUIDv7 and its time.</summary>
internal readonly record struct RecordStamp(Guid Id, DateTimeOffset Timestamp);

/// <summary>Receives each record as it is chained, with its canonical bytes, raw leaf hash and raw chain hash (valid only during the call).</summary>
internal delegate void ChainLinkWriter(AuditRecord record, ReadOnlySpan<byte> canonical, ReadOnlySpan<byte> leaf, ReadOnlySpan<byte> hash);

/// <summary>
/// Turns queued entries into chained records: the one place every sink stamps (UUIDv7 id, microsecond UTC time from the
/// options' <see cref="TimeProvider"/>), sequences, encodes (<see cref="AuditRecordCodec"/>) and hashes
/// (<see cref="ChainHasher"/>). Stamping and linking are separate so a sink that must retry against a moved tail
/// re-links the same stamped entries (same ids, same times) onto the new tail. Used by one writer thread at a time.
/// </summary>
internal sealed class ChainSequencer(TimeProvider time)
{
    private readonly UuidV7Generator _ids = new();
    private readonly ByteBufferWriter _canonical = new(2048);
    private readonly byte[] _previousHash = new byte[ChainHasher.HashSize];

    /// <summary>Stamps the next entry with the current time (truncated to microseconds) and a fresh UUIDv7.</summary>
    public RecordStamp Stamp()
    {
        var now = time.GetUtcNow();
        var timestamp = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        return new RecordStamp(_ids.Next(timestamp), timestamp);
    }

    /// <summary>
    /// Chains <paramref name="appends"/> (stamped index for index by <paramref name="stamps"/>) onto <paramref name="tail"/>,
    /// adding each record to <paramref name="output"/> and handing it to <paramref name="link"/>. An entry that cannot be
    /// encoded fails its own caller and takes no sequence; an append whose caller already completed (failed on an earlier
    /// attempt) is skipped. Returns the tail after the last record.
    /// </summary>
    public ChainTail Link(IReadOnlyList<WriteRequest> appends, IReadOnlyList<RecordStamp> stamps, ChainTail tail, SequencedBatch output, ChainLinkWriter? link)
    {
        if (!HashHex.TryDecode(tail.PreviousHash, _previousHash))
            throw new ArgumentException($"The chain's tail hash '{tail.PreviousHash}' is not 64 lower-case hex digits.", nameof(tail));
        var next = tail.NextSequence;
        var previousHex = tail.PreviousHash;
        Span<byte> leaf = stackalloc byte[ChainHasher.HashSize];
        Span<byte> hash = stackalloc byte[ChainHasher.HashSize];
        for (var i = 0; i < appends.Count; i++)
        {
            var request = appends[i];
            var completion = request.Completion!;
            if (completion.Task.IsCompleted)
                continue;
            var stamp = stamps[i];
            var unhashed = SequencedRecord.From(request.Entry!, request.CanonicalDetails, next, stamp.Id, stamp.Timestamp, previousHex);
            try
            {
                _canonical.Clear();
                AuditRecordCodec.Write(unhashed, _canonical, includeHash: false, detailsAreCanonical: true);
            }
            catch (ArgumentException e)
            {
                // The entry itself cannot be encoded (AppendAsync validates, so this is a caller bug): only this caller fails.
                completion.TrySetException(e);
                continue;
            }

            ChainHasher.ComputeLeaf(_canonical.Written, leaf);
            ChainHasher.ComputeChain(_previousHash, leaf, hash);
            var record = unhashed with { Hash = HashHex.Encode(hash) };
            link?.Invoke(record, _canonical.Written, leaf, hash);
            hash.CopyTo(_previousHash);
            previousHex = record.Hash;
            next++;
            output.Add(record, completion);
        }
        return new ChainTail(next, previousHex);
    }
}
