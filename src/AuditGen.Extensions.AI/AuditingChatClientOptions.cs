namespace AuditGen.Extensions.AI;

/// <summary>What the chat-client middleware keeps of a message, reasoning or response text. Raw text is never recorded.</summary>
[Flags]
public enum MessageCapture
{
    /// <summary>Nothing of the text.</summary>
    None = 0,
    /// <summary>The text's length in characters (<c>details.length</c>).</summary>
    Length = 1,
    /// <summary>
    /// The text after the personal-data pattern pass (<c>details.text</c>: e-mail, phone, SSN, card, IBAN, IP and MRN
    /// replaced by markers), truncated to the trail's <c>MaxCapturedValueLength</c>. Names and other free-form identifiers
    /// survive this pass: do not use it for text that may hold PHI.
    /// </summary>
    ScrubbedText = 2,
    /// <summary>A keyed HMAC pseudonym of the whole text (<c>details.hmac</c>): equal texts correlate, nothing is recoverable without the key. Needs the trail's HMAC key.</summary>
    Hmac = 4,

    /// <summary>
    /// The full text, sealed (<c>details.sealed</c> = <c>{"$sealed": commitment}</c>): kept encrypted under the data
    /// subject's key beside the log, readable with <c>LiteDbAuditTrail.ReadSealedAsync</c> and destroyed by erasing the
    /// subject (GDPR Art. 17). Needs a trail with <c>AuditTrailOptions.Erasure</c> and <see cref="AuditContext.SubjectId"/>
    /// set around the conversation; without a subject the turn fails before the model is called.
    /// </summary>
    Sealed = 8,
}

/// <summary>A model's price per million tokens, in <see cref="AuditingChatClientOptions.Currency"/>.</summary>
/// <param name="InputPerMillionTokens">Price of one million input tokens.</param>
/// <param name="OutputPerMillionTokens">Price of one million output tokens.</param>
public sealed record ModelPrice(decimal InputPerMillionTokens, decimal OutputPerMillionTokens)
{
    /// <summary>The cost of a response, exact in decimal.</summary>
    public decimal CostOf(long inputTokens, long outputTokens) =>
        (inputTokens * InputPerMillionTokens + outputTokens * OutputPerMillionTokens) / 1_000_000m;
}

/// <summary>How <see cref="AuditingChatClient"/> records a conversation.</summary>
public sealed class AuditingChatClientOptions
{
    /// <summary>The classification of the conversation records. Default <see cref="DataClass.Confidential"/>: chat text is personal data.</summary>
    public DataClass Classification { get; set; } = DataClass.Confidential;

    /// <summary>The compliance regimes of the conversation records.</summary>
    public ComplianceDomain Domains { get; set; }

    /// <summary>
    /// What happens when a record cannot be made durable. <see cref="AuditFailurePolicy.Default"/>: fail-closed for
    /// restricted conversations, else the trail's policy. Fail-closed: the model is not called until the user message
    /// is durable, and no response is returned until its record is.
    /// </summary>
    public AuditFailurePolicy FailurePolicy { get; set; }

    /// <summary>What is kept of user messages, reasoning and responses. Default: length and HMAC pseudonym.</summary>
    public MessageCapture MessageCapture { get; set; } = MessageCapture.Length | MessageCapture.Hmac;

    /// <summary>Prices by model id (case-insensitive), for the <c>Cost</c> of <c>agent_response_generated</c>. A model not listed has no cost recorded.</summary>
    public IDictionary<string, ModelPrice> Prices { get; } = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The currency of <see cref="Prices"/> (ISO 4217), recorded with each cost. Default <c>USD</c>.</summary>
    public string Currency { get; set; } = "USD";

    internal void Validate()
    {
        if (!Enum.IsDefined(Classification))
            throw new ArgumentOutOfRangeException(nameof(Classification), Classification, "Not a defined DataClass value.");
        if (!Enum.IsDefined(FailurePolicy))
            throw new ArgumentOutOfRangeException(nameof(FailurePolicy), FailurePolicy, "Not a defined AuditFailurePolicy value.");
        if ((MessageCapture & ~(MessageCapture.Length | MessageCapture.ScrubbedText | MessageCapture.Hmac | MessageCapture.Sealed)) != 0)
            throw new ArgumentOutOfRangeException(nameof(MessageCapture), MessageCapture, "Unknown MessageCapture flags.");
        ArgumentException.ThrowIfNullOrWhiteSpace(Currency, nameof(Currency));
        foreach (var (model, price) in Prices)
        {
            if (price is null || price.InputPerMillionTokens < 0 || price.OutputPerMillionTokens < 0)
                throw new ArgumentException($"The price of model '{model}' must be given and not negative.", nameof(Prices));
        }
    }
}
