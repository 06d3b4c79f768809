using Microsoft.Extensions.Configuration;

namespace AuditGen.Retention;

/// <summary>
/// The retention configuration of a trail (<see cref="AuditTrailOptions.Retention"/>): which policy each compliance
/// domain uses, custom policies, and the configurable periods. Checked by <see cref="RetentionPolicySet.Create"/>
/// (and at host start).
/// </summary>
/// <example><code>
/// options.Retention = new RetentionOptions
/// {
///     Policies = { new RetentionPolicy("state-medical", RetentionPeriod.FromYears(10)) },
///     Domains = { [ComplianceDomain.Hipaa] = "state-medical" },
///     GdprRetention = RetentionPeriod.FromYears(2),
/// };
/// </code></example>
public sealed class RetentionOptions
{
    /// <summary>
    /// Domain → policy name, for domains that should not use their built-in policy (each domain's built-in has its
    /// name: <c>hipaa</c>, <c>soc2</c>, <c>financial</c>, <c>pci</c>, <c>gdpr</c>, <c>eu-ai-act</c>). A domain's
    /// policy may not keep records shorter than its built-in one.
    /// </summary>
    public Dictionary<ComplianceDomain, string> Domains { get; } = [];

    /// <summary>Custom policies, by name (the built-in names are taken).</summary>
    public List<RetentionPolicy> Policies { get; } = [];

    /// <summary>The policy of records with no domain. Default <c>default</c> (1 year).</summary>
    public string DefaultPolicy { get; set; } = RetentionPolicy.Default;

    /// <summary>The <c>gdpr</c> policy's period; <see langword="null"/>: <see cref="RetentionPolicy.GdprDefault"/> (1 year).</summary>
    public RetentionPeriod? GdprRetention { get; set; }

    /// <summary>The <c>eu-ai-act</c> policy's period; at least 6 months; <see langword="null"/>: 6 months.</summary>
    public RetentionPeriod? EuAiActRetention { get; set; }

    /// <summary>
    /// Reads a <c>Retention</c> configuration block (the <c>AuditTrail:Retention</c> section hosts bind) as strictly as
    /// the host does, and checks the result; <see langword="null"/> when the section does not exist.
    /// </summary>
    /// <exception cref="RetentionConfigurationException">A key, domain, period or policy name is wrong; every problem is listed.</exception>
    public static RetentionOptions? FromConfiguration(IConfigurationSection retentionSection)
    {
        ArgumentNullException.ThrowIfNull(retentionSection);
        var options = new AuditTrailOptions();
        var problems = new List<string>();
        RetentionConfiguration.Apply(retentionSection, options, problems);
        if (options.Retention is { } retention)
            problems.AddRange(RetentionPolicySet.Validate(retention));
        return problems.Count > 0 ? throw new RetentionConfigurationException(problems) : options.Retention;
    }
}
