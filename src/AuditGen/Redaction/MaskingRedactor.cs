using Microsoft.Extensions.Compliance.Redaction;

namespace AuditGen.Redaction;

/// <summary>
/// <see cref="RedactionStrategy.Mask"/>: every character but the last four becomes <c>*</c>. Values of
/// <see cref="FullyMaskedUpTo"/> characters or fewer are masked entirely, since their last four characters would
/// reveal half of them or more.
/// </summary>
internal sealed class MaskingRedactor : Redactor
{
    public const int VisibleSuffix = 4;
    public const int FullyMaskedUpTo = 8;

    public static MaskingRedactor Instance { get; } = new();

    public override int GetRedactedLength(ReadOnlySpan<char> input) => input.Length;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        var length = source.Length;
        var masked = length <= FullyMaskedUpTo ? length : length - VisibleSuffix;

        // Never keep half of a surrogate pair: a visible suffix that starts with a low surrogate loses that char too.
        if (masked < length && char.IsLowSurrogate(source[masked]))
            masked++;

        destination[..masked].Fill('*');
        source[masked..].CopyTo(destination[masked..]);
        return length;
    }
}
