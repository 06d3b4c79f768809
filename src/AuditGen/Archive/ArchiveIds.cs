using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace AuditGen.Archive;

/// <summary>Segment ids: <c>seg-{first:D12}-{last:D12}-{8 hex digits of SHA-256 over the selected sequences}</c>.</summary>
/// <remarks>
/// Derived from the selection alone, so rerunning the same selection after a crash finds (and completes) the earlier
/// run's segment instead of writing a second one; two different selections with the same bounds get different ids.
/// </remarks>
internal static class ArchiveIds
{
    private const int MaxLength = 100;

    /// <summary>The segment id of <paramref name="sequences"/> (ascending, distinct, not empty).</summary>
    public static string For(IReadOnlyList<long> sequences)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[8];
        foreach (var sequence in sequences)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, sequence);
            sha.AppendData(buffer);
        }
        var digest = sha.GetHashAndReset();
        return string.Create(CultureInfo.InvariantCulture,
            $"seg-{sequences[0]:D12}-{sequences[^1]:D12}-{AuditGen.Integrity.HashHex.Encode(digest.AsSpan(0, 4))}");
    }

    /// <summary>Whether <paramref name="id"/> is safe as a segment id (and file name): 1–100 of <c>a-z 0-9 -</c>.</summary>
    public static bool IsValidSegmentId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
            return false;
        foreach (var c in id)
            if (!(char.IsAsciiDigit(c) || c is >= 'a' and <= 'z' || c == '-'))
                return false;
        return true;
    }
}
