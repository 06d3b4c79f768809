using System.Buffers.Binary;
using AuditGen.Storage;

namespace AuditGen.Erasure;

/// <summary>
/// The byte formats of <see cref="FileSealVault"/>. Both files are ours (never LiteDB: its deleted documents survive in
/// free pages), so erasure knows exactly which bytes to overwrite.
/// <list type="bullet">
/// <item><c>keys</c>: a 64-byte header (<c>AGVKEYS1</c>, zeros), then one 128-byte slot per subject key, never moved:
/// status (1 live, 2 erased), 7 reserved, key number (int64 LE), pseudonym (32), seed (32; zeros once erased), created
/// and erased (Unix µs, int64 LE), 28 reserved, CRC-32C of the first 124 bytes. A slot is rewritten in place, in one
/// aligned 128-byte write, only to erase it; a slot that fails its CRC (a torn write) is treated as erased.</item>
/// <item><c>k&lt;key number&gt;.seal</c>: a 16-byte header (<c>AGVSEAL1</c>, key number), then frames: <c>AGSF</c>,
/// ciphertext length (uint32 LE), record id (16, big-endian UUID), value index (uint32 LE), commitment (32), GCM tag
/// (16), ciphertext, CRC-32C of the frame so far. Append-only; a torn last frame is cut off by the writer.</item>
/// </list>
/// </summary>
internal static class VaultFiles
{
    public const string KeysFileName = "keys";
    public const int KeysHeaderLength = 64;
    public const int SlotLength = 128;
    public const int PayloadHeaderLength = 16;
    public const int FrameHeaderLength = 4 + 4 + 16 + 4 + 32 + 16;
    public const int FrameTrailerLength = 4;
    public const int TagLength = 16;

    private const byte Live = 1;
    private const byte Erased = 2;
    private const int SlotCrcOffset = 124;

    public static ReadOnlySpan<byte> KeysMagic => "AGVKEYS1"u8;
    public static ReadOnlySpan<byte> PayloadMagic => "AGVSEAL1"u8;
    private static ReadOnlySpan<byte> FrameMagic => "AGSF"u8;

    public static string PayloadFileName(long keyNumber) => "k" + keyNumber.ToString("D8", System.Globalization.CultureInfo.InvariantCulture) + ".seal";

    public static byte[] KeysHeader()
    {
        var header = new byte[KeysHeaderLength];
        KeysMagic.CopyTo(header);
        return header;
    }

    public static byte[] PayloadHeader(long keyNumber)
    {
        var header = new byte[PayloadHeaderLength];
        PayloadMagic.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), keyNumber);
        return header;
    }

    public static byte[] Slot(VaultKey key)
    {
        var slot = new byte[SlotLength];
        slot[0] = key.IsErased ? Erased : Live;
        BinaryPrimitives.WriteInt64LittleEndian(slot.AsSpan(8), key.KeyNumber);
        key.Pseudonym.CopyTo(slot.AsSpan(16, SealingKeys.Length));
        key.Seed?.CopyTo(slot.AsSpan(48, SealingKeys.Length));
        BinaryPrimitives.WriteInt64LittleEndian(slot.AsSpan(80), Micros(key.CreatedAt));
        BinaryPrimitives.WriteInt64LittleEndian(slot.AsSpan(88), key.ErasedAt is { } erased ? Micros(erased) : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(slot.AsSpan(SlotCrcOffset), Crc(slot.AsSpan(0, SlotCrcOffset)));
        return slot;
    }

    /// <summary>Reads slot <paramref name="keyNumber"/>; a slot that fails its checks is returned erased, with <paramref name="intact"/> false.</summary>
    public static VaultKey ReadSlot(ReadOnlySpan<byte> slot, long keyNumber, out bool intact)
    {
        var status = slot[0];
        intact = BinaryPrimitives.ReadUInt32LittleEndian(slot[SlotCrcOffset..]) == Crc(slot[..SlotCrcOffset])
            && status is Live or Erased
            && BinaryPrimitives.ReadInt64LittleEndian(slot[8..]) == keyNumber;
        if (!intact)
            return new VaultKey(keyNumber, new byte[SealingKeys.Length], null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var created = FromMicros(BinaryPrimitives.ReadInt64LittleEndian(slot[80..]));
        if (status == Erased)
            return new VaultKey(keyNumber, slot.Slice(16, SealingKeys.Length).ToArray(), null, created, FromMicros(BinaryPrimitives.ReadInt64LittleEndian(slot[88..])));
        return new VaultKey(keyNumber, slot.Slice(16, SealingKeys.Length).ToArray(), slot.Slice(48, SealingKeys.Length).ToArray(), created, null);
    }

    public static void WriteFrame(VaultFrame frame, ByteBufferWriter output)
    {
        var length = FrameHeaderLength + frame.Ciphertext.Length + FrameTrailerLength;
        var span = output.GetSpan(length)[..length];
        FrameMagic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)frame.Ciphertext.Length);
        frame.RecordId.TryWriteBytes(span[8..], bigEndian: true, out _);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)frame.Index);
        frame.Commitment.CopyTo(span[28..]);
        frame.Tag.CopyTo(span[60..]);
        frame.Ciphertext.CopyTo(span[FrameHeaderLength..]);
        var body = FrameHeaderLength + frame.Ciphertext.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(span[body..], Crc(span[..body]));
        output.Advance(length);
    }

    /// <summary>Reads the frames of a payload file's bytes up to the first incomplete or damaged one; <paramref name="validLength"/> is where they end.</summary>
    public static List<VaultFrame> ReadFrames(ReadOnlySpan<byte> file, long keyNumber, out long validLength)
    {
        var frames = new List<VaultFrame>();
        validLength = 0;
        if (file.Length < PayloadHeaderLength || !file[..8].SequenceEqual(PayloadMagic)
            || BinaryPrimitives.ReadInt64LittleEndian(file[8..]) != keyNumber)
            return frames;
        var position = PayloadHeaderLength;
        validLength = position;
        while (file.Length - position >= FrameHeaderLength + FrameTrailerLength)
        {
            var rest = file[position..];
            if (!rest[..4].SequenceEqual(FrameMagic))
                break;
            var cipherLength = BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]);
            if (cipherLength > int.MaxValue - FrameHeaderLength - FrameTrailerLength
                || rest.Length < FrameHeaderLength + (long)cipherLength + FrameTrailerLength)
                break;
            var body = FrameHeaderLength + (int)cipherLength;
            if (BinaryPrimitives.ReadUInt32LittleEndian(rest[body..]) != Crc(rest[..body]))
                break;
            frames.Add(new VaultFrame(
                keyNumber,
                new Guid(rest.Slice(8, 16), bigEndian: true),
                (int)BinaryPrimitives.ReadUInt32LittleEndian(rest[24..]),
                rest.Slice(28, SealingKeys.Length).ToArray(),
                rest.Slice(60, TagLength).ToArray(),
                rest.Slice(FrameHeaderLength, (int)cipherLength).ToArray()));
            position += body + FrameTrailerLength;
            validLength = position;
        }
        return frames;
    }

    private static uint Crc(ReadOnlySpan<byte> data) => Crc32C.Finish(Crc32C.Append(0xFFFFFFFF, data));

    private static long Micros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
