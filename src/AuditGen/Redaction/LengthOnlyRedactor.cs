using System.Globalization;
using Microsoft.Extensions.Compliance.Redaction;

namespace AuditGen.Redaction;

/// <summary><see cref="RedactionStrategy.LengthOnly"/>: keeps only the value's length in characters, as <c>[length:12]</c>.</summary>
internal sealed class LengthOnlyRedactor : Redactor
{
    private const string Prefix = "[length:";

    public static LengthOnlyRedactor Instance { get; } = new();

    public override int GetRedactedLength(ReadOnlySpan<char> input) => Prefix.Length + DigitCount(input.Length) + 1;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        Prefix.AsSpan().CopyTo(destination);
        var position = Prefix.Length;
        source.Length.TryFormat(destination[position..], out var digits, default, CultureInfo.InvariantCulture);
        position += digits;
        destination[position++] = ']';
        return position;
    }

    private static int DigitCount(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}
