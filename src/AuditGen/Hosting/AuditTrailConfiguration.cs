using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AuditGen.Hosting;

/// <summary>
/// Reads an <c>AuditTrail</c> configuration section into <see cref="AuditTrailOptions"/>. Parsing is strict and
/// reports every problem with the full key, so a typo in a policy name fails the start instead of weakening it.
/// </summary>
internal static class AuditTrailConfiguration
{
    public const string LiteDbPathKey = "LiteDbPath";
    public const string FailurePolicyKey = "FailurePolicy";
    public const string HmacKeyKey = "HmacKey";
    public const string HmacKeyIdKey = "HmacKeyId";
    public const string CommitmentKeyKey = "CommitmentKey";
    public const string VaultDirectoryKey = "VaultDirectory";
    public const string MaxBatchSizeKey = "MaxBatchSize";
    public const string QueueCapacityKey = "QueueCapacity";
    public const string MaxCapturedValueLengthKey = "MaxCapturedValueLength";
    public const string GroupCommitLingerKey = "GroupCommitLinger";

    private static readonly string[] KnownKeys =
        [LiteDbPathKey, FailurePolicyKey, HmacKeyKey, HmacKeyIdKey, MaxBatchSizeKey, QueueCapacityKey, MaxCapturedValueLengthKey,
            GroupCommitLingerKey, Retention.RetentionConfiguration.SectionKey, CommitmentKeyKey, VaultDirectoryKey];

    private static readonly string[] PolicyNames = Enum.GetNames<AuditFailurePolicy>();

    /// <summary>Applies the section's settings to <paramref name="options"/>; returns the problems (empty when all parsed).</summary>
    public static List<string> Apply(IConfiguration section, AuditTrailOptions options)
    {
        var problems = new List<string>();
        foreach (var child in section.GetChildren())
        {
            if (!KnownKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                problems.Add($"Unknown audit trail setting '{Describe(section, child.Key)}'. Known settings: {string.Join(", ", KnownKeys)}.");
        }

        if (section[FailurePolicyKey] is { } policy)
        {
            // Enum.TryParse would also take "7" or "FailOpen,FailClosed": only the names are accepted.
            var name = PolicyNames.FirstOrDefault(n => string.Equals(n, policy.Trim(), StringComparison.OrdinalIgnoreCase));
            if (name is null)
                problems.Add($"'{Describe(section, FailurePolicyKey)}' is '{policy}', which is not a failure policy. Use one of: {string.Join(", ", PolicyNames)}.");
            else
                options.FailurePolicy = Enum.Parse<AuditFailurePolicy>(name);
        }

        if (section[HmacKeyKey] is { } key)
        {
            try
            {
                options.HmacKey = Convert.FromBase64String(key.Trim());
            }
            catch (FormatException)
            {
                // Never echo the value: it is a secret.
                problems.Add($"'{Describe(section, HmacKeyKey)}' is not valid base64. Set it to a base64 string of at least 32 random bytes.");
            }
        }

        if (section[CommitmentKeyKey] is { } commitmentKey)
        {
            try
            {
                (options.Erasure ??= new Erasure.ErasureOptions()).CommitmentKey = Convert.FromBase64String(commitmentKey.Trim());
            }
            catch (FormatException)
            {
                problems.Add($"'{Describe(section, CommitmentKeyKey)}' is not valid base64. Set it to a base64 string of at least 32 random bytes.");
            }
        }

        if (section[VaultDirectoryKey] is { Length: > 0 } vaultDirectory)
            (options.Erasure ??= new Erasure.ErasureOptions()).VaultDirectory = vaultDirectory;

        ReadInt(section, HmacKeyIdKey, 0, v => options.HmacKeyId = v, problems);
        ReadInt(section, MaxBatchSizeKey, 1, v => options.MaxBatchSize = v, problems);
        ReadInt(section, QueueCapacityKey, 1, v => options.QueueCapacity = v, problems);
        ReadInt(section, MaxCapturedValueLengthKey, 0, v => options.MaxCapturedValueLength = v, problems);
        ReadLinger(section, options, problems);
        Retention.RetentionConfiguration.Apply(section.GetSection(Retention.RetentionConfiguration.SectionKey), options, problems);
        return problems;
    }

    /// <summary>The full configuration key of <paramref name="key"/> in <paramref name="section"/>.</summary>
    public static string Describe(IConfiguration section, string key) =>
        section is IConfigurationSection { Path: { Length: > 0 } path } ? path + ":" + key : key;

    // A TimeSpan in the invariant "c" form, e.g. 00:00:00.0005 for 500 µs; 0 turns the linger off.
    private static void ReadLinger(IConfiguration section, AuditTrailOptions options, List<string> problems)
    {
        if (section[GroupCommitLingerKey] is not { } text)
            return;
        if (!TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var value) || value < TimeSpan.Zero || value > AuditTrailOptions.MaxGroupCommitLinger)
            problems.Add($"'{Describe(section, GroupCommitLingerKey)}' is '{text}'; it must be a duration such as 00:00:00.0002 (200 µs), " +
                $"between 0 (off) and {AuditTrailOptions.MaxGroupCommitLinger:c}.");
        else
            options.GroupCommitLinger = value;
    }

    private static void ReadInt(IConfiguration section, string key, int minimum, Action<int> set, List<string> problems)
    {
        if (section[key] is not { } text)
            return;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < minimum)
            problems.Add($"'{Describe(section, key)}' is '{text}'; it must be a whole number of at least {minimum}.");
        else
            set(value);
    }
}
