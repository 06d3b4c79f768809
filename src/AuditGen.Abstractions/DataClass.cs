namespace AuditGen;

/// <summary>How sensitive a value is. Drives redaction and the record's <c>Classification</c>.</summary>
public enum DataClass
{
    /// <summary>May be published; recorded as is.</summary>
    Public = 0,

    /// <summary>Internal to the organisation; recorded as is.</summary>
    Internal = 1,

    /// <summary>Business-confidential or personal data; pseudonymised (HMAC) unless another strategy is given.</summary>
    Confidential = 2,

    /// <summary>Regulated data (PHI, card data, secrets); erased unless another strategy is given. Never stored in clear.</summary>
    Restricted = 3,
}
