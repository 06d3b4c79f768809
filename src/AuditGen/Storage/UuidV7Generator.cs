using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AuditGen.Storage;

/// <summary>
/// RFC 9562 UUIDv7 ids (48-bit Unix milliseconds, then 74 bits of randomness), monotonic within the generator:
/// within one millisecond, or if the clock steps back, the previous value's random part is incremented (method 2 of
/// RFC 9562 §6.2). Used by the single writer thread only, so it is not thread-safe.
/// </summary>
internal sealed class UuidV7Generator
{
    private const ulong RandBMask = (1UL << 62) - 1;
    private long _lastMillis = -1;
    private ushort _randA;   // 12 bits
    private ulong _randB;    // 62 bits

    /// <summary>A new id for a record stamped at <paramref name="timestamp"/>.</summary>
    public Guid Next(DateTimeOffset timestamp)
    {
        var millis = Math.Max(timestamp.ToUnixTimeMilliseconds(), 0);
        if (millis > _lastMillis)
        {
            Span<byte> random = stackalloc byte[10];
            RandomNumberGenerator.Fill(random);
            _lastMillis = millis;
            // Leave the counter's top bit clear so many ids fit in one millisecond before it overflows.
            _randA = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(random) & 0x07FF);
            _randB = BinaryPrimitives.ReadUInt64BigEndian(random[2..]) & RandBMask;
        }
        else if (++_randB > RandBMask)
        {
            _randB = 0;
            if (++_randA > 0x0FFF)
            {
                _randA = 0;
                _lastMillis++;
            }
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, ((ulong)_lastMillis << 16) | 0x7000UL | _randA);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], 0x8000_0000_0000_0000UL | _randB);
        return new Guid(bytes, bigEndian: true);
    }
}
