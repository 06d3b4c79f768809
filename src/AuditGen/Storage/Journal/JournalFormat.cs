using System.Buffers.Binary;
using AuditGen.Integrity;

namespace AuditGen.Storage.Journal;

/// <summary>
/// The journal's on-disk layout. A 16-byte file header (<c>AUDITGEN-JRNL-v1</c>), then one frame per record:
/// <code>
/// offset size
///  0     4   magic 0x4A464741 ("AGFJ" little-endian)
///  4     4   payload length (bytes, 1 .. MaxPayloadLength)
///  8     8   sequence
/// 16     8   first sequence of the group commit the frame belongs to
/// 24     4   number of records in that group commit
/// 28    32   the record's chain hash (raw)
/// 60     4   CRC-32C of bytes 0..59 and the payload
/// 64     n   payload: the record's full form (AuditRecordCodec.Serialize, RFC 8785 JSON including "hash")
/// </code>
/// All integers little-endian. One group commit is written contiguously and fsynced before the next is written, so
/// only the last group commit can be torn by a crash; the commit fields let recovery tell a torn tail from damage.
/// </summary>
internal static class JournalFormat
{
    /// <summary>The file header.</summary>
    public static ReadOnlySpan<byte> FileHeader => "AUDITGEN-JRNL-v1"u8;

    /// <summary>Length of <see cref="FileHeader"/>.</summary>
    public const int FileHeaderLength = 16;

    /// <summary>Length of a frame header.</summary>
    public const int FrameHeaderLength = 64;

    /// <summary>The frame magic.</summary>
    public const uint FrameMagic = 0x4A464741;

    /// <summary>The largest payload a frame may carry (16 MiB).</summary>
    public const int MaxPayloadLength = 16 * 1024 * 1024;

    /// <summary>Writes a frame header (with CRC) for <paramref name="payload"/> into <paramref name="header"/>.</summary>
    public static void WriteFrameHeader(Span<byte> header, ReadOnlySpan<byte> payload, long sequence, long commitFirst, int commitCount, ReadOnlySpan<byte> hash)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, FrameMagic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header[8..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], commitFirst);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], commitCount);
        hash.CopyTo(header[28..60]);
        var crc = Crc32C.Append(Crc32C.Initial, header[..60]);
        crc = Crc32C.Append(crc, payload);
        BinaryPrimitives.WriteUInt32LittleEndian(header[60..], Crc32C.Finish(crc));
    }

    /// <summary>Reads a frame header; <see langword="null"/> with a reason when it is not one.</summary>
    public static JournalFrameHeader? TryReadFrameHeader(ReadOnlySpan<byte> header, out string? problem)
    {
        problem = null;
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != FrameMagic)
        {
            problem = "no frame magic";
            return null;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        var sequence = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        var commitFirst = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        var commitCount = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
        if (length is < 1 or > MaxPayloadLength)
        {
            problem = $"payload length {length} out of range";
            return null;
        }
        if (sequence < 0 || commitFirst < 0 || commitCount < 1 || sequence < commitFirst || sequence - commitFirst >= commitCount)
        {
            problem = $"inconsistent sequence {sequence} / commit {commitFirst}+{commitCount}";
            return null;
        }
        return new JournalFrameHeader(length, sequence, commitFirst, commitCount, HashHex.Encode(header[28..60]), BinaryPrimitives.ReadUInt32LittleEndian(header[60..]));
    }

    /// <summary>Whether the CRC in <paramref name="header"/> matches it and <paramref name="payload"/>.</summary>
    public static bool CrcMatches(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, uint storedCrc)
    {
        var crc = Crc32C.Append(Crc32C.Initial, header[..60]);
        crc = Crc32C.Append(crc, payload);
        return Crc32C.Finish(crc) == storedCrc;
    }
}

/// <summary>A parsed frame header.</summary>
internal readonly record struct JournalFrameHeader(int PayloadLength, long Sequence, long CommitFirst, int CommitCount, string Hash, uint Crc)
{
    /// <summary>Whether this frame is the last of its group commit.</summary>
    public bool EndsCommit => Sequence == CommitFirst + CommitCount - 1;
}
