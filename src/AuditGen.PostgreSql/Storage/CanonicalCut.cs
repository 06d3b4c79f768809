using System.Buffers;
using System.Globalization;
using System.Text;
using AuditGen.Canonical;
using AuditGen.Integrity;

namespace AuditGen.PostgreSql.Storage;

/// <summary>
/// A record's canonical bytes (DESIGN §4) cut around the two values only the chain's tail decides: everything before
/// the value of <c>previousHash</c>, everything between it and the value of <c>sequence</c>, and everything after. With
/// the tail's hash and the sequence put back in, the pieces are the canonical bytes again, byte for byte.
/// </summary>
internal readonly record struct CanonicalCut(byte[] Before, byte[] Between, byte[] After)
{
    private static ReadOnlySpan<byte> PreviousHashMember => ",\"previousHash\":\""u8;
    private static ReadOnlySpan<byte> SequenceMember => ",\"sequence\":"u8;

    /// <summary>
    /// Cuts the canonical bytes of <paramref name="unlinked"/>, a record written with <see cref="HashHex.Zero"/> as its
    /// previous hash and 0 as its sequence. The top-level members are the last occurrences of their names: a nested
    /// member of that name can only come earlier (inside <c>details</c> or <c>error</c>, which precede them), and string
    /// contents cannot hold an unescaped quote.
    /// </summary>
    /// <exception cref="ArgumentException">A field cannot be encoded, or the record is not written with the placeholders.</exception>
    public static CanonicalCut Of(AuditRecord unlinked, ArrayBufferWriter<byte> buffer)
    {
        if (unlinked.Sequence != 0 || unlinked.PreviousHash != HashHex.Zero)
            throw new ArgumentException("A record is cut with sequence 0 and the zero previous hash in place.", nameof(unlinked));
        buffer.ResetWrittenCount();
        AuditRecordCodec.Write(unlinked, buffer, includeHash: false, detailsAreCanonical: true);
        var canonical = buffer.WrittenSpan;
        var previous = canonical.LastIndexOf(PreviousHashMember) + PreviousHashMember.Length;
        var sequence = canonical.LastIndexOf(SequenceMember) + SequenceMember.Length;
        var hashLength = HashHex.Zero.Length;
        if (previous < PreviousHashMember.Length || sequence < SequenceMember.Length || sequence <= previous + hashLength || canonical[sequence] != (byte)'0')
            throw new ArgumentException("The record's canonical form does not have the members where a record has them.", nameof(unlinked));
        return new CanonicalCut(canonical[..previous].ToArray(), canonical[(previous + hashLength)..sequence].ToArray(), canonical[(sequence + 1)..].ToArray());
    }

    /// <summary>The canonical bytes of the record at <paramref name="sequence"/> after the record whose hash is <paramref name="previousHash"/>.</summary>
    public byte[] Join(string previousHash, long sequence)
    {
        var digits = sequence.ToString(CultureInfo.InvariantCulture);
        var joined = new byte[Before.Length + previousHash.Length + Between.Length + digits.Length + After.Length];
        var at = 0;
        foreach (var part in new[] { Before, Encoding.ASCII.GetBytes(previousHash), Between, Encoding.ASCII.GetBytes(digits), After })
        {
            part.CopyTo(joined, at);
            at += part.Length;
        }
        return joined;
    }
}
