using System.Buffers.Binary;
using System.Numerics;

namespace AuditGen.Storage;

/// <summary>CRC-32C (Castagnoli), hardware-accelerated where available; detects torn or damaged journal frames.</summary>
internal static class Crc32C
{
    /// <summary>Continues a CRC over <paramref name="data"/>. Start with <see cref="Initial"/>, finish with <see cref="Finish"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }

    /// <summary>The initial CRC state.</summary>
    public const uint Initial = 0xFFFFFFFF;

    /// <summary>The final CRC value of a state.</summary>
    public static uint Finish(uint crc) => crc ^ 0xFFFFFFFF;
}
