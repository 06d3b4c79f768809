using Microsoft.Extensions.Compliance.Classification;

namespace AuditGen;

/// <summary>
/// AuditGen's data classes as <see cref="DataClassification"/> values of the <c>AuditGen</c> taxonomy, so
/// Microsoft.Extensions.Compliance redactor providers can be configured against them.
/// </summary>
public static class AuditTaxonomy
{
    /// <summary>The taxonomy name: <c>AuditGen</c>.</summary>
    public const string Name = "AuditGen";

    /// <summary><see cref="DataClass.Public"/> as a classification.</summary>
    public static DataClassification Public { get; } = new(Name, nameof(DataClass.Public));

    /// <summary><see cref="DataClass.Internal"/> as a classification.</summary>
    public static DataClassification Internal { get; } = new(Name, nameof(DataClass.Internal));

    /// <summary><see cref="DataClass.Confidential"/> as a classification.</summary>
    public static DataClassification Confidential { get; } = new(Name, nameof(DataClass.Confidential));

    /// <summary><see cref="DataClass.Restricted"/> as a classification.</summary>
    public static DataClassification Restricted { get; } = new(Name, nameof(DataClass.Restricted));

    /// <summary>The classification for a data class.</summary>
    public static DataClassification For(DataClass value) => value switch
    {
        DataClass.Public => Public,
        DataClass.Internal => Internal,
        DataClass.Confidential => Confidential,
        DataClass.Restricted => Restricted,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown data class."),
    };
}
