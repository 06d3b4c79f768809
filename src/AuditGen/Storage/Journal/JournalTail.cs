using System.Buffers.Binary;

namespace AuditGen.Storage.Journal;

/// <summary>
/// Decides whether a bad frame is a torn tail (the last group commit, interrupted by a crash before its fsync returned,
/// so never acknowledged: safe to cut off) or damage to acknowledged data (the store is corrupt).
/// </summary>
/// <remarks>
/// The writer fsyncs each group commit before it writes the next, so a crash can only tear the last one. Let
/// <c>T</c> be the first sequence of the group commit the bad frame belongs to (the commit of the last good frame if
/// that commit is unfinished, else the next sequence). The damage is a torn tail unless something proves commit
/// <c>T</c> was acknowledged: a valid frame of a later commit after the damage, or the query store already holding
/// sequence <c>T</c> (it only indexes acknowledged records).
/// </remarks>
internal static class JournalTail
{
    /// <summary>At most this much data may follow the damage for it to be a torn tail.</summary>
    private const long MaxTornBytes = 256L * 1024 * 1024;

    /// <summary>Returns <see langword="null"/> for a torn tail, or why the damage is corruption of acknowledged data.</summary>
    public static string? ExplainCorruption(Stream stream, long badOffset, JournalFrameHeader? lastGood, long indexedCount)
    {
        var tornCommit = lastGood is not { } last ? 0 : last.EndsCommit ? last.Sequence + 1 : last.CommitFirst;
        if (indexedCount > tornCommit)
            return $"the query store already holds sequence {indexedCount - 1}, so the group commit from sequence {tornCommit} was acknowledged";

        var rest = stream.Length - badOffset;
        if (rest > MaxTornBytes)
            return $"{rest} bytes follow the damage, more than one interrupted group commit can leave";
        var bytes = new byte[rest];
        stream.Seek(badOffset, SeekOrigin.Begin);
        stream.ReadExactly(bytes);

        Span<byte> magic = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, JournalFormat.FrameMagic);
        for (var at = 1; at + JournalFormat.FrameHeaderLength <= bytes.Length; at++)
        {
            var found = bytes.AsSpan(at).IndexOf(magic);
            if (found < 0)
                break;
            at += found;
            if (at + JournalFormat.FrameHeaderLength > bytes.Length)
                break;
            var header = bytes.AsSpan(at, JournalFormat.FrameHeaderLength);
            if (JournalFormat.TryReadFrameHeader(header, out _) is not { } h || at + JournalFormat.FrameHeaderLength + h.PayloadLength > bytes.Length)
                continue;
            var payload = bytes.AsSpan(at + JournalFormat.FrameHeaderLength, h.PayloadLength);
            if (JournalFormat.CrcMatches(header, payload, h.Crc) && h.CommitFirst > tornCommit)
                return $"an intact frame of a later group commit (sequence {h.Sequence}) follows the damage at byte {badOffset + at}";
        }
        return null;
    }
}
