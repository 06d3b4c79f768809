namespace AuditGen;

/// <summary>Compliance regimes a tool's records fall under. Retention is the longest over the domains.</summary>
[Flags]
public enum ComplianceDomain
{
    /// <summary>No regime named.</summary>
    None = 0,

    /// <summary>HIPAA (US health data): 6 years.</summary>
    Hipaa = 1 << 0,

    /// <summary>SOC 2: 1 year.</summary>
    Soc2 = 1 << 1,

    /// <summary>Financial records (SEC 17a-4, SOX): 7 years.</summary>
    Financial = 1 << 2,

    /// <summary>PCI DSS (card data): 1 year.</summary>
    Pci = 1 << 3,

    /// <summary>GDPR (EU personal data): erasure on request.</summary>
    Gdpr = 1 << 4,

    /// <summary>EU AI Act record keeping: at least 6 months.</summary>
    EuAiAct = 1 << 5,
}
