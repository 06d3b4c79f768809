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

    /// <summary>
    /// Kept in full but sealed: the record carries only a salted commitment, the value itself is encrypted under the data
    /// subject's key beside the log, and erasing the subject (GDPR Art. 17) destroys that key. Needs
    /// <c>AuditTrailOptions.Erasure</c>, a trail that keeps a vault, and a data subject (a <c>[SubjectId]</c> parameter
    /// or <c>AuditContext.SubjectId</c>); without them the call fails with an error rather than record the value in clear.
    /// </summary>
    Seal = 4,
}
