namespace AuditGen.Integrity;

/// <summary>Lower-case hex for 32-byte hashes, the only form hashes take on the wire.</summary>
internal static class HashHex
{
    /// <summary>The genesis previous hash: 32 zero bytes as hex.</summary>
    public static readonly string Zero = new('0', ChainHasher.HashSize * 2);

    /// <summary>Lower-case hex of <paramref name="bytes"/>.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
#if NET9_0_OR_GREATER
        return Convert.ToHexStringLower(bytes);
#else
        return string.Create(bytes.Length * 2, bytes.ToArray(), static (chars, source) =>
        {
            const string digits = "0123456789abcdef";
            for (var i = 0; i < source.Length; i++)
            {
                chars[2 * i] = digits[source[i] >> 4];
                chars[2 * i + 1] = digits[source[i] & 0xF];
            }
        });
#endif
    }

    /// <summary>Decodes 64 lower-case hex digits into <paramref name="destination"/> (32 bytes).</summary>
    public static bool TryDecode(string? hex, Span<byte> destination)
    {
        if (hex is null || hex.Length != destination.Length * 2)
            return false;
        for (var i = 0; i < destination.Length; i++)
        {
            var hi = Digit(hex[2 * i]);
            var lo = Digit(hex[2 * i + 1]);
            if ((hi | lo) < 0)
                return false;
            destination[i] = (byte)((hi << 4) | lo);
        }
        return true;
    }

    /// <summary>Decodes 64 lower-case hex digits given as UTF-8 bytes into <paramref name="destination"/> (32 bytes).</summary>
    public static bool TryDecodeUtf8(ReadOnlySpan<byte> hex, Span<byte> destination)
    {
        if (hex.Length != destination.Length * 2)
            return false;
        for (var i = 0; i < destination.Length; i++)
        {
            var hi = Digit((char)hex[2 * i]);
            var lo = Digit((char)hex[2 * i + 1]);
            if ((hi | lo) < 0)
                return false;
            destination[i] = (byte)((hi << 4) | lo);
        }
        return true;
    }

    /// <summary>The first 12 hex digits followed by an ellipsis, for reasons people read.</summary>
    public static string Short(string? hex) =>
        hex is null ? "(none)" : hex.Length > 12 ? hex[..12] + "…" : hex;

    private static int Digit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
