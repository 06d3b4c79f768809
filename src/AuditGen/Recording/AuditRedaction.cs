using AuditGen.Redaction;

namespace AuditGen;

/// <summary>
/// The trail's redaction, for adapters that record free text (chat messages, model errors) rather than tool arguments:
/// the same strategies and HMAC key as the generated wrappers, and the same personal-data pattern pass.
/// </summary>
public static class AuditRedaction
{
    /// <summary>
    /// <paramref name="text"/> with personal-data patterns (e-mail, phone, SSN, Luhn-valid card, IBAN, IPv4, MRN) replaced by
    /// markers such as <c>[email]</c>. Names and other free-form identifiers are NOT recognised: do not rely on this pass
    /// alone for text that may hold them.
    /// </summary>
    public static string ScrubPersonalData(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TextPatternRedactor.Redact(text);
    }

    /// <summary>Redacts <paramref name="value"/> with <paramref name="strategy"/> using the key of <paramref name="options"/>.</summary>
    /// <param name="options">The trail's options (HMAC key and key id).</param>
    /// <param name="strategy">The strategy.</param>
    /// <param name="value">The value.</param>
    /// <param name="subject">What is being recorded, named in configuration errors (e.g. <c>user message</c>).</param>
    /// <exception cref="AuditTrailException"><see cref="RedactionStrategy.Hmac"/> and no usable key is configured.</exception>
    public static string Redact(AuditTrailOptions options, RedactionStrategy strategy, string value, string subject)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(subject);
        return options.Redaction.Redact(strategy, value, () => $"AuditGen cannot record the {subject}");
    }
}
