using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AuditGen.Canonical;

namespace AuditGen.Retention;

/// <summary>
/// The retention policies in force, resolved and checked: every policy by name, the policy of each domain, the policy
/// of records with no domain. A record's retention is the longest over its domains' policies (the latest expiry from
/// its timestamp); with no domain, the default policy's.
/// </summary>
public sealed class RetentionPolicySet
{
    private static readonly ComplianceDomain[] AllDomains =
        [ComplianceDomain.Hipaa, ComplianceDomain.Soc2, ComplianceDomain.Financial, ComplianceDomain.Pci, ComplianceDomain.Gdpr, ComplianceDomain.EuAiAct];

    private readonly RetentionPolicy[] _byDomainBit;
    private string? _canonicalJson;

    private RetentionPolicySet(IReadOnlyDictionary<string, RetentionPolicy> policies, RetentionPolicy[] byDomainBit, RetentionPolicy defaultPolicy)
    {
        Policies = policies;
        _byDomainBit = byDomainBit;
        DefaultPolicy = defaultPolicy;
    }

    /// <summary>The built-in policies with their default periods, in the order the regimes are listed.</summary>
    public static IReadOnlyList<RetentionPolicy> BuiltIn { get; } =
    [
        new(RetentionPolicy.Hipaa, RetentionPeriod.FromYears(6)),
        new(RetentionPolicy.Soc2, RetentionPeriod.FromYears(1)),
        new(RetentionPolicy.Financial, RetentionPeriod.FromYears(7)),
        new(RetentionPolicy.Pci, RetentionPeriod.FromYears(1), RetentionPeriod.FromMonths(3)),
        new(RetentionPolicy.Gdpr, RetentionPolicy.GdprDefault),
        new(RetentionPolicy.EuAiAct, RetentionPolicy.EuAiActMinimum),
        new(RetentionPolicy.Default, RetentionPeriod.FromYears(1)),
    ];

    /// <summary>The built-in policies with nothing changed.</summary>
    public static RetentionPolicySet Defaults { get; } = Create(null);

    /// <summary>Every policy by name (built-in and custom), ordinal order.</summary>
    public IReadOnlyDictionary<string, RetentionPolicy> Policies { get; }

    /// <summary>The policy of records with no domain.</summary>
    public RetentionPolicy DefaultPolicy { get; }

    /// <summary>The policy records of <paramref name="domain"/> (one flag) follow.</summary>
    public RetentionPolicy PolicyOf(ComplianceDomain domain)
    {
        var bit = Array.IndexOf(AllDomains, domain);
        return bit >= 0 ? _byDomainBit[bit] : throw new ArgumentOutOfRangeException(nameof(domain), domain, "Give exactly one defined compliance domain.");
    }

    /// <summary>
    /// The policy that decides a record with <paramref name="domains"/> stamped <paramref name="timestamp"/>, and when it
    /// expires: the domain policy with the latest expiry (on a tie, the first domain in flag order); no domain: the default.
    /// </summary>
    public (RetentionPolicy Policy, DateTimeOffset ExpiresAt) Decide(ComplianceDomain domains, DateTimeOffset timestamp)
    {
        if (domains == ComplianceDomain.None)
            return (DefaultPolicy, DefaultPolicy.ExpiresAt(timestamp));
        RetentionPolicy? best = null;
        var bestExpiry = DateTimeOffset.MinValue;
        for (var bit = 0; bit < AllDomains.Length; bit++)
        {
            if ((domains & AllDomains[bit]) == 0)
                continue;
            var policy = _byDomainBit[bit];
            var expiry = policy.ExpiresAt(timestamp);
            if (best is null || expiry > bestExpiry)
                (best, bestExpiry) = (policy, expiry);
        }
        if (((int)domains & ~((1 << AllDomains.Length) - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(domains), domains, "Unknown compliance domain flag.");
        return (best!, bestExpiry);
    }

    /// <summary>
    /// The canonical (RFC 8785) JSON of the set: <c>{"defaultPolicy": "default", "domains": {"hipaa": "hipaa", …},
    /// "policies": {"hipaa": {"hot": null, "retention": "P6Y"}, …}}</c>. Two sets retain alike exactly when these agree.
    /// </summary>
    public string ToCanonicalJson()
    {
        if (_canonicalJson is not null)
            return _canonicalJson;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("defaultPolicy", DefaultPolicy.Name);
            json.WriteStartObject("domains");
            for (var bit = 0; bit < AllDomains.Length; bit++)
                json.WriteString(AllDomains[bit].ToWireNames()[0], _byDomainBit[bit].Name);
            json.WriteEndObject();
            json.WriteStartObject("policies");
            foreach (var policy in Policies.Values)
            {
                json.WriteStartObject(policy.Name);
                if (policy.Hot is { } hot) json.WriteString("hot", hot.ToString());
                else json.WriteNull("hot");
                json.WriteString("retention", policy.Retention.ToString());
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return _canonicalJson = JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>The first 16 hex digits of the SHA-256 of <see cref="ToCanonicalJson"/>: a short name for this configuration.</summary>
    public string Fingerprint => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalJson())), 0, 8).ToLowerInvariant();

    /// <summary>Resolves and checks <paramref name="options"/> (<see langword="null"/>: the built-ins as they are).</summary>
    /// <exception cref="RetentionConfigurationException">Something is invalid; the message lists every problem.</exception>
    public static RetentionPolicySet Create(RetentionOptions? options)
    {
        var problems = new List<string>();
        var set = TryCreate(options, problems);
        return set ?? throw new RetentionConfigurationException(problems);
    }

    /// <summary>The problems with <paramref name="options"/>; empty when <see cref="Create"/> would succeed.</summary>
    public static List<string> Validate(RetentionOptions? options)
    {
        var problems = new List<string>();
        TryCreate(options, problems);
        return problems;
    }

    private static RetentionPolicySet? TryCreate(RetentionOptions? options, List<string> problems)
    {
        var policies = new SortedDictionary<string, RetentionPolicy>(StringComparer.Ordinal);
        foreach (var builtIn in BuiltIn)
            policies[builtIn.Name] = builtIn;

        if (options?.GdprRetention is { } gdpr)
        {
            if (gdpr.IsZeroOrNegative)
                problems.Add($"GdprRetention {gdpr} must be a positive period.");
            else
                policies[RetentionPolicy.Gdpr] = new RetentionPolicy(RetentionPolicy.Gdpr, gdpr);
        }
        if (options?.EuAiActRetention is { } euAiAct)
        {
            if (euAiAct.IsZeroOrNegative || !euAiAct.IsAtLeast(RetentionPolicy.EuAiActMinimum))
                problems.Add($"EuAiActRetention {euAiAct} is below the EU AI Act's minimum of 6 months (P6M): logs of high-risk systems must be kept at least that long.");
            else
                policies[RetentionPolicy.EuAiAct] = new RetentionPolicy(RetentionPolicy.EuAiAct, euAiAct);
        }

        foreach (var custom in options?.Policies ?? [])
        {
            if (custom is null)
            {
                problems.Add("A custom retention policy is null.");
                continue;
            }
            if (!RetentionPolicy.IsValidName(custom.Name))
            {
                problems.Add($"The retention policy name '{custom.Name}' is invalid: use lower-case letters, digits and hyphens, starting with a letter.");
                continue;
            }
            if (BuiltIn.Any(b => b.Name == custom.Name))
            {
                problems.Add($"'{custom.Name}' is a built-in retention policy and cannot be redefined; define a policy with another name and map the domain to it " +
                    "(GDPR's and the EU AI Act's periods are set with GdprRetention and EuAiActRetention).");
                continue;
            }
            if (policies.ContainsKey(custom.Name))
            {
                problems.Add($"The retention policy '{custom.Name}' is defined twice.");
                continue;
            }
            if (custom.Retention.IsZeroOrNegative)
                problems.Add($"The retention policy '{custom.Name}' has retention {custom.Retention}; it must be a positive period.");
            else if (custom.Hot is { } hot && (hot.IsZeroOrNegative || !custom.Retention.IsAtLeast(hot)))
                problems.Add($"The retention policy '{custom.Name}' has a hot period {hot} that is not a positive part of its retention {custom.Retention}.");
            policies[custom.Name] = custom;
        }

        var known = string.Join(", ", policies.Keys);
        var byDomain = new RetentionPolicy[AllDomains.Length];
        for (var bit = 0; bit < AllDomains.Length; bit++)
        {
            var domain = AllDomains[bit];
            var wireName = domain.ToWireNames()[0];
            var builtIn = policies[BuiltInNameOf(domain)];
            var name = options is not null && options.Domains.TryGetValue(domain, out var mapped) ? mapped : builtIn.Name;
            if (!policies.TryGetValue(name ?? "", out var policy))
            {
                problems.Add($"The domain '{wireName}' is mapped to the unknown retention policy '{name}'. Known policies: {known}.");
                continue;
            }
            if (!policy.Retention.IsAtLeast(builtIn.Retention))
            {
                problems.Add($"The domain '{wireName}' is mapped to the retention policy '{policy.Name}' ({policy.Retention}), which keeps records shorter than " +
                    $"'{builtIn.Name}' ({builtIn.Retention}) requires.");
                continue;
            }
            byDomain[bit] = policy;
        }
        foreach (var domain in options?.Domains.Keys ?? Enumerable.Empty<ComplianceDomain>())
        {
            if (Array.IndexOf(AllDomains, domain) < 0)
                problems.Add($"The retention domain map names {domain}, which is not one compliance domain. Known domains: {string.Join(", ", AllDomains.Select(d => d.ToWireNames()[0]))}.");
        }

        var defaultName = options?.DefaultPolicy ?? RetentionPolicy.Default;
        if (!policies.TryGetValue(defaultName ?? "", out var defaultPolicy))
            problems.Add($"The default retention policy '{defaultName}' is unknown. Known policies: {known}.");

        return problems.Count > 0 ? null : new RetentionPolicySet(policies, byDomain, defaultPolicy!);
    }

    private static string BuiltInNameOf(ComplianceDomain domain) => domain switch
    {
        ComplianceDomain.Hipaa => RetentionPolicy.Hipaa,
        ComplianceDomain.Soc2 => RetentionPolicy.Soc2,
        ComplianceDomain.Financial => RetentionPolicy.Financial,
        ComplianceDomain.Pci => RetentionPolicy.Pci,
        ComplianceDomain.Gdpr => RetentionPolicy.Gdpr,
        _ => RetentionPolicy.EuAiAct,
    };
}
