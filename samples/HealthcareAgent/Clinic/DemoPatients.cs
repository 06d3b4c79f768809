namespace HealthcareAgent;

/// <summary>Synthetic patients. Their names and record numbers must never appear in the audit trail in clear.</summary>
internal static class DemoPatients
{
    public const string MariaMrn = "MRN-100234";
    public const string MariaName = "Maria Alvarez";
    public const string DeborahMrn = "MRN-200871";
    public const string DeborahName = "Deborah Chen";
    /// <summary>A record number no patient has: the lookup fails.</summary>
    public const string UnknownMrn = "MRN-999431";

    public static readonly PatientSummary[] All =
    [
        new(MariaMrn, MariaName, new DateOnly(1961, 4, 12), ["penicillin"], "Dr. Meredith Grey"),
        new(DeborahMrn, DeborahName, new DateOnly(1974, 9, 3), [], "Dr. Meredith Grey"),
    ];

    public static readonly Dictionary<(string Mrn, string Panel), IReadOnlyList<LabResult>> Labs = new()
    {
        [(MariaMrn, "cardiac")] =
        [
            new("Troponin I", 0.02m, "ng/mL", "< 0.04", "normal", new DateOnly(2025, 3, 10)),
            new("BNP", 180m, "pg/mL", "< 100", "high", new DateOnly(2025, 3, 10)),
        ],
        [(DeborahMrn, "lipid")] =
        [
            new("LDL cholesterol", 92m, "mg/dL", "< 100", "normal", new DateOnly(2025, 3, 7)),
            new("HDL cholesterol", 58m, "mg/dL", "> 40", "normal", new DateOnly(2025, 3, 7)),
            new("Triglycerides", 141m, "mg/dL", "< 150", "normal", new DateOnly(2025, 3, 7)),
        ],
    };

    /// <summary>Every value from the conversations that is restricted and must not be stored in clear.</summary>
    public static IReadOnlyList<string> RestrictedValues { get; } = [MariaMrn, MariaName, DeborahMrn, DeborahName, UnknownMrn];
}
