namespace AuditGen.Redaction;

/// <summary>
/// The redaction state of one trail: the strategy redactors, keyed with the trail's HMAC key. Built once per
/// <see cref="AuditTrailOptions"/> (see <see cref="AuditTrailOptions.Redaction"/>) and shared by every call.
/// </summary>
internal sealed class RedactionEngine
{
    private readonly byte[]? _keySource;
    private readonly int _keyId;
    private readonly KeyedHmacRedactor? _hmac;

    public RedactionEngine(byte[]? hmacKey, int hmacKeyId)
    {
        _keySource = hmacKey;
        _keyId = hmacKeyId;
        if (hmacKey is not null && hmacKey.Length >= KeyedHmacRedactor.MinimumKeyLength)
            _hmac = new KeyedHmacRedactor(hmacKey, hmacKeyId);
    }

    /// <summary>Whether this engine was built from exactly these option values.</summary>
    public bool IsFor(byte[]? hmacKey, int hmacKeyId) => ReferenceEquals(_keySource, hmacKey) && _keyId == hmacKeyId;

    /// <summary>
    /// The strategy for a value: the declared one wins; otherwise <see cref="DataClass.Confidential"/> →
    /// <see cref="RedactionStrategy.Hmac"/>, <see cref="DataClass.Restricted"/> → <see cref="RedactionStrategy.Erase"/>,
    /// and <see langword="null"/> (recorded as is) for unclassified, public and internal values.
    /// </summary>
    public static RedactionStrategy? StrategyFor(DataClass? classification, RedactionStrategy? declared)
    {
        if (declared.HasValue)
            return declared.GetValueOrDefault();
        return classification switch
        {
            DataClass.Confidential => RedactionStrategy.Hmac,
            DataClass.Restricted => RedactionStrategy.Erase,
            _ => null,
        };
    }

    /// <summary>The strategy for a property of an object argument: an unclassified property is as sensitive as its argument.</summary>
    public static RedactionStrategy? StrategyFor(ToolParameter parameter, ToolParameter property) =>
        property.Classification is null
            ? StrategyFor(parameter.Classification, property.Redaction ?? parameter.Redaction)
            : StrategyFor(property.Classification, property.Redaction);

    /// <summary>The strategy for a tool's result: its declared classification, else the tool's.</summary>
    public static RedactionStrategy? StrategyForResult(ToolDescriptor tool) =>
        StrategyFor(tool.Returns.Classification ?? tool.Classification, tool.Returns.Redaction);

    /// <summary>Redacts <paramref name="text"/> with <paramref name="strategy"/>.</summary>
    /// <param name="strategy">The strategy.</param>
    /// <param name="text">The value rendered as text.</param>
    /// <param name="tool">The tool, named in configuration errors.</param>
    /// <param name="target">The parameter, property or <c>result</c>, named in configuration errors.</param>
    /// <param name="owner">For an object argument's property: the parameter that holds it.</param>
    /// <exception cref="AuditTrailException">HMAC redaction is needed and no usable key is configured.</exception>
    public string Redact(RedactionStrategy strategy, ReadOnlySpan<char> text, ToolDescriptor tool, string target, string? owner = null) =>
        Redact(strategy, text, () => $"Tool '{tool.Name}' cannot record '{(owner is null ? target : owner + "." + target)}'");

    /// <summary>Redacts <paramref name="text"/> with <paramref name="strategy"/>; <paramref name="subject"/> names what is recorded in configuration errors.</summary>
    /// <exception cref="AuditTrailException">HMAC redaction is needed and no usable key is configured.</exception>
    public string Redact(RedactionStrategy strategy, ReadOnlySpan<char> text, Func<string> subject)
    {
        switch (strategy)
        {
            case RedactionStrategy.Erase:
                return ErasingMarkerRedactor.Marker;
            case RedactionStrategy.Mask:
                return RedactToString(MaskingRedactor.Instance, text);
            case RedactionStrategy.LengthOnly:
                return RedactToString(LengthOnlyRedactor.Instance, text);
            case RedactionStrategy.Hmac:
                return RedactToString(_hmac ?? throw MissingKey(subject()), text);
            case RedactionStrategy.Seal:
                // Sealing needs a vault and a data subject: ToolInvocation and AuditRecorder seal before redaction is
                // asked. Anywhere else, refuse rather than record the value in clear or drop it unseen.
                throw new AuditTrailException(
                    $"{subject()}: it is marked {nameof(RedactionStrategy.Seal)}, which only tool arguments, results and " +
                    "conversation texts captured by AuditGen support (they need a trail with a vault and a data subject).");
            default:
                // An undefined strategy must not let a value through in clear: erase it.
                return ErasingMarkerRedactor.Marker;
        }
    }

    // Redactor.Redact(ReadOnlySpan<char>) returns "" for empty input without asking the redactor; an empty value still
    // has a length (and a pseudonym), so the span overload is called directly.
    private static string RedactToString(Microsoft.Extensions.Compliance.Redaction.Redactor redactor, ReadOnlySpan<char> text)
    {
        const int StackLimit = 256;
        var length = redactor.GetRedactedLength(text);
        var buffer = length <= StackLimit ? stackalloc char[StackLimit] : new char[length];
        var written = redactor.Redact(text, buffer);
        return new string(buffer[..written]);
    }

    private AuditTrailException MissingKey(string subject)
    {
        var problem = _keySource is null
            ? "no HMAC key is configured"
            : $"the configured HMAC key has {_keySource.Length} bytes, fewer than the {KeyedHmacRedactor.MinimumKeyLength} required";
        return new AuditTrailException(
            $"{subject}: it is redacted with an HMAC pseudonym but {problem}. " +
            $"Set {nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.HmacKey)} to a secret of at least " +
            $"{KeyedHmacRedactor.MinimumKeyLength} random bytes (and {nameof(AuditTrailOptions.HmacKeyId)} to its id).");
    }
}
