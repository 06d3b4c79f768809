using Microsoft.Extensions.Configuration;

namespace AuditGen.Retention;

/// <summary>
/// Reads the <c>Retention</c> block of an <c>AuditTrail</c> configuration section as strictly as the rest:
/// <code>
/// "Retention": {
///   "DefaultPolicy": "default",
///   "GdprRetention": "P2Y",
///   "EuAiActRetention": "P1Y",
///   "Domains": { "hipaa": "state-medical" },
///   "Policies": { "state-medical": { "Retention": "P10Y", "Hot": "P3M" } }
/// }
/// </code>
/// Unknown keys, unknown domains and periods that do not parse are reported with their full key; whether the policies
/// named exist and meet each regime's minimum is checked on the resulting options (<see cref="RetentionPolicySet.Validate"/>).
/// </summary>
internal static class RetentionConfiguration
{
    public const string SectionKey = "Retention";

    private const string DefaultPolicyKey = "DefaultPolicy";
    private const string GdprRetentionKey = "GdprRetention";
    private const string EuAiActRetentionKey = "EuAiActRetention";
    private const string DomainsKey = "Domains";
    private const string PoliciesKey = "Policies";
    private const string RetentionKey = "Retention";
    private const string HotKey = "Hot";

    private static readonly string[] KnownKeys = [DefaultPolicyKey, GdprRetentionKey, EuAiActRetentionKey, DomainsKey, PoliciesKey];
    private static readonly string[] PolicyKeys = [RetentionKey, HotKey];

    /// <summary>Applies <paramref name="section"/> (the <c>Retention</c> block) to <paramref name="options"/>, adding problems to <paramref name="problems"/>.</summary>
    public static void Apply(IConfigurationSection section, AuditTrailOptions options, List<string> problems)
    {
        if (!section.Exists())
            return;
        var retention = options.Retention ??= new RetentionOptions();
        foreach (var child in section.GetChildren())
        {
            if (!KnownKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                problems.Add($"Unknown retention setting '{child.Path}'. Known settings: {string.Join(", ", KnownKeys)}.");
        }

        if (section[DefaultPolicyKey] is { } defaultPolicy)
            retention.DefaultPolicy = defaultPolicy.Trim();
        if (ReadPeriod(section, GdprRetentionKey, problems) is { } gdpr)
            retention.GdprRetention = gdpr;
        if (ReadPeriod(section, EuAiActRetentionKey, problems) is { } euAiAct)
            retention.EuAiActRetention = euAiAct;

        foreach (var domain in section.GetSection(DomainsKey).GetChildren())
        {
            if (!AuditWireNames.TryParseDomain(domain.Key.ToLowerInvariant(), out var flag))
            {
                problems.Add($"'{domain.Path}' names the unknown compliance domain '{domain.Key}'. Known domains: " +
                    $"{string.Join(", ", Enum.GetValues<ComplianceDomain>().Where(d => d != ComplianceDomain.None).Select(d => d.ToWireNames()[0]))}.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(domain.Value))
                problems.Add($"'{domain.Path}' must name a retention policy.");
            else
                retention.Domains[flag] = domain.Value.Trim();
        }

        foreach (var policy in section.GetSection(PoliciesKey).GetChildren())
        {
            foreach (var key in policy.GetChildren())
            {
                if (!PolicyKeys.Contains(key.Key, StringComparer.OrdinalIgnoreCase))
                    problems.Add($"Unknown retention policy setting '{key.Path}'. Known settings: {string.Join(", ", PolicyKeys)}.");
            }
            if (policy[RetentionKey] is null)
            {
                problems.Add($"'{policy.Path}' needs a '{RetentionKey}' period (e.g. P10Y).");
                continue;
            }
            var period = ReadPeriod(policy, RetentionKey, problems);
            var hot = ReadPeriod(policy, HotKey, problems);
            if (period is { } p && (policy[HotKey] is null || hot is not null))
                retention.Policies.Add(new RetentionPolicy(policy.Key, p, hot));
        }
    }

    private static RetentionPeriod? ReadPeriod(IConfigurationSection section, string key, List<string> problems)
    {
        if (section[key] is not { } text)
            return null;
        if (RetentionPeriod.TryParse(text.Trim(), out var period))
            return period;
        problems.Add($"'{section.Path}:{key}' is '{text}', which is not a retention period. Use a positive ISO 8601 duration such as P6Y, P6M, P1Y6M or P90D.");
        return null;
    }
}
