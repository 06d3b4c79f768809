namespace AuditGen.Retention;

/// <summary>
/// How long records under one regime are kept: <see cref="Retention"/> from the record's UTC timestamp, after which
/// retention archives them (unless a legal hold covers them). <see cref="Hot"/>, when set, is the most recent part of
/// that period during which records must stay immediately available for analysis (PCI DSS: 3 of 12 months).
/// </summary>
/// <param name="Name">The policy's name: lower-case letters, digits and hyphens (<c>hipaa</c>, <c>state-medical-10y</c>).</param>
/// <param name="Retention">How long records are kept.</param>
/// <param name="Hot">The most recent part of <paramref name="Retention"/> that must stay immediately available, or <see langword="null"/>.</param>
public sealed record RetentionPolicy(string Name, RetentionPeriod Retention, RetentionPeriod? Hot = null)
{
    /// <summary>HIPAA (45 CFR 164.316(b)(2)): 6 years.</summary>
    public const string Hipaa = "hipaa";
    /// <summary>SOC 2: 1 year (the audit period plus its evidence).</summary>
    public const string Soc2 = "soc2";
    /// <summary>Financial records (SEC 17a-4, SOX 802): 7 years.</summary>
    public const string Financial = "financial";
    /// <summary>PCI DSS 10.5.1: 1 year, the last 3 months immediately available.</summary>
    public const string Pci = "pci";
    /// <summary>EU AI Act (Art. 19, 26(6)): at least 6 months; configurable, never below.</summary>
    public const string EuAiAct = "eu-ai-act";
    /// <summary>GDPR: no fixed period (storage limitation, Art. 5(1)(e)); configurable, 1 year by default.</summary>
    public const string Gdpr = "gdpr";
    /// <summary>Records under no regime: 1 year.</summary>
    public const string Default = "default";

    /// <summary>The EU AI Act's minimum: 6 months.</summary>
    public static RetentionPeriod EuAiActMinimum { get; } = RetentionPeriod.FromMonths(6);

    /// <summary>
    /// GDPR's default here: 1 year, the same as a record under no regime, so tagging a record <c>gdpr</c> neither
    /// shortens nor lengthens its life. GDPR sets no period, only "no longer than necessary": set your documented
    /// period (<see cref="RetentionOptions.GdprRetention"/>); erasure requests are handled by erasure, not retention.
    /// </summary>
    public static RetentionPeriod GdprDefault { get; } = RetentionPeriod.FromYears(1);

    /// <summary>When a record stamped <paramref name="timestamp"/> expires under this policy (UTC).</summary>
    public DateTimeOffset ExpiresAt(DateTimeOffset timestamp) => Retention.AddTo(timestamp);

    /// <summary>Whether a record stamped <paramref name="timestamp"/> is still in the hot window at <paramref name="now"/>.</summary>
    public bool IsHot(DateTimeOffset timestamp, DateTimeOffset now) =>
        Hot is { } hot && now < hot.AddTo(timestamp);

    /// <summary>Whether <paramref name="name"/> is a valid policy name.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 && char.IsAsciiLetterLower(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
