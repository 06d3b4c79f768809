using System.Text;
using AuditGen.Integrity;

namespace AuditGen.Storage.Journal;

/// <summary>
/// What is left of an archived record in the journal: the frame keeps its header (sequence, chain hash) and its length,
/// and its payload is overwritten by <c>{"pruned":{"leaf":"&lt;hex&gt;","segment":"&lt;id&gt;"}}</c> padded with spaces to
/// the original length (CRC recomputed). The chain still verifies alone: the stub's link is
/// <c>Hash = SHA-256("auditgen:v1" ‖ previous ‖ leaf)</c>, and the Merkle tree's leaf is unchanged. A full record can
/// never be mistaken for a stub: its canonical form starts with <c>{"action":</c>.
/// </summary>
internal static class JournalStub
{
    private static ReadOnlySpan<byte> Prefix => "{\"pruned\":{\"leaf\":\""u8;
    private static ReadOnlySpan<byte> SegmentMember => "\",\"segment\":\""u8;
    private static ReadOnlySpan<byte> Suffix => "\"}}"u8;

    /// <summary>The length of a stub for <paramref name="segmentId"/> before padding.</summary>
    public static int UnpaddedLength(string segmentId) => Prefix.Length + ChainHasher.HashSize * 2 + SegmentMember.Length + segmentId.Length + Suffix.Length;

    /// <summary>Whether <paramref name="payload"/> is a stub (not a full record).</summary>
    public static bool IsStub(ReadOnlySpan<byte> payload) => payload.StartsWith(Prefix);

    /// <summary>Writes the stub of the record whose leaf is <paramref name="leaf"/> into all of <paramref name="destination"/> (its original payload length).</summary>
    /// <exception cref="ArgumentException">The destination is shorter than the stub, or the segment id is not a valid id.</exception>
    public static void Write(ReadOnlySpan<byte> leaf, string segmentId, Span<byte> destination)
    {
        if (!AuditGen.Archive.ArchiveIds.IsValidSegmentId(segmentId))
            throw new ArgumentException($"'{segmentId}' is not a valid segment id.", nameof(segmentId));
        var length = UnpaddedLength(segmentId);
        if (destination.Length < length)
            throw new ArgumentException($"A stub needs {length} bytes; the frame's payload has {destination.Length}.", nameof(destination));
        var at = 0;
        Prefix.CopyTo(destination);
        at += Prefix.Length;
        at += Encoding.ASCII.GetBytes(HashHex.Encode(leaf), destination[at..]);
        SegmentMember.CopyTo(destination[at..]);
        at += SegmentMember.Length;
        at += Encoding.ASCII.GetBytes(segmentId, destination[at..]);
        Suffix.CopyTo(destination[at..]);
        at += Suffix.Length;
        destination[at..].Fill((byte)' ');
    }

    /// <summary>Reads a stub; <see langword="false"/> (with the problem) when the payload is not a well-formed stub.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, Span<byte> leaf, out string? segmentId, out string? problem)
    {
        segmentId = null;
        problem = null;
        if (!payload.StartsWith(Prefix))
        {
            problem = "not a pruned stub";
            return false;
        }
        var rest = payload[Prefix.Length..];
        if (rest.Length < ChainHasher.HashSize * 2 || !HashHex.TryDecodeUtf8(rest[..(ChainHasher.HashSize * 2)], leaf))
        {
            problem = "the stub's leaf is not 64 lower-case hex digits";
            return false;
        }
        rest = rest[(ChainHasher.HashSize * 2)..];
        if (!rest.StartsWith(SegmentMember))
        {
            problem = "the stub names no segment";
            return false;
        }
        rest = rest[SegmentMember.Length..];
        var end = rest.IndexOf(Suffix);
        if (end < 0)
        {
            problem = "the stub is not closed";
            return false;
        }
        var id = Encoding.ASCII.GetString(rest[..end]);
        if (!AuditGen.Archive.ArchiveIds.IsValidSegmentId(id))
        {
            problem = $"the stub's segment id '{id}' is not a valid id";
            return false;
        }
        foreach (var b in rest[(end + Suffix.Length)..])
        {
            if (b != (byte)' ')
            {
                problem = "the stub's padding is not spaces";
                return false;
            }
        }
        segmentId = id;
        return true;
    }
}
