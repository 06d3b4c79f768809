namespace AuditGen;

/// <summary>How a classified value is transformed before it enters an audit record.</summary>
public enum RedactionStrategy
{
    /// <summary>Replaced by a fixed marker; nothing of the value remains.</summary>
    Erase = 0,

    /// <summary>All but the last four characters replaced by <c>*</c>.</summary>
    Mask = 1,

    /// <summary>Keyed HMAC-SHA256 pseudonym: equal values correlate, the value cannot be recovered without the key.</summary>
    Hmac = 2,

    /// <summary>Only the length of the value is kept.</summary>
    LengthOnly = 3,
}
