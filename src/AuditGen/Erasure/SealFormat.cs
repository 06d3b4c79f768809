using System.Globalization;

namespace AuditGen.Erasure;

/// <summary>
/// How sealed content appears in a record. A sealed value is written in <c>details</c> as
/// <c>{"$sealed":"&lt;base64url commitment&gt;"}</c>; the record's <see cref="AuditRecord.Sealed"/> names the vault key
/// its values are encrypted under: <c>vault:v1:&lt;key number&gt;:&lt;base64url subject pseudonym&gt;</c>. Both are hashed
/// with the record, so they verify before and after erasure.
/// </summary>
internal static class SealFormat
{
    /// <summary>The member of a sealed value's marker object.</summary>
    public const string Marker = "$sealed";

    private const string HeaderPrefix = "vault:v1:";

    /// <summary>The record's <see cref="AuditRecord.Sealed"/> for values under key <paramref name="keyNumber"/> of <paramref name="pseudonym"/>.</summary>
    public static string Header(long keyNumber, ReadOnlySpan<byte> pseudonym) =>
        string.Concat(HeaderPrefix, keyNumber.ToString(CultureInfo.InvariantCulture), ":", Base64Url.Encode(pseudonym));

    /// <summary>Reads a header written by <see cref="Header"/>; false for anything else (including other uses of the field).</summary>
    public static bool TryParseHeader(string? header, out long keyNumber, out byte[] pseudonym)
    {
        keyNumber = 0;
        pseudonym = [];
        if (header is null || !header.StartsWith(HeaderPrefix, StringComparison.Ordinal))
            return false;
        var rest = header.AsSpan(HeaderPrefix.Length);
        var colon = rest.IndexOf(':');
        if (colon <= 0 || !long.TryParse(rest[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out keyNumber))
            return false;
        return Base64Url.TryDecode(rest[(colon + 1)..], SealingKeys.Length, out pseudonym);
    }
}

/// <summary>Unpadded base64url (RFC 4648 §5), for ids and commitments (net8.0 has no <c>Base64Url</c>).</summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(ReadOnlySpan<char> text, int expectedLength, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length > 4 * ((expectedLength + 2) / 3))
            return false;
        var padded = new char[(text.Length + 3) / 4 * 4];
        for (var i = 0; i < padded.Length; i++)
        {
            if (i >= text.Length)
            {
                padded[i] = '=';
                continue;
            }
            var c = text[i];
            if (c is '+' or '/' or '=')
                return false;
            padded[i] = c == '-' ? '+' : c == '_' ? '/' : c;
        }
        var buffer = new byte[expectedLength + 3];
        if (!Convert.TryFromBase64Chars(padded, buffer, out var written) || written != expectedLength)
            return false;
        bytes = buffer[..written];
        return true;
    }
}
