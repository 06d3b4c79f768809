using AuditGen.Redaction;
using Microsoft.Extensions.Options;

namespace AuditGen.Hosting;

/// <summary>
/// The start-up check of a hosted trail: a store is chosen, a LiteDB path can be opened, the configuration section
/// parsed, the HMAC key is long enough and present when a registered tool pseudonymises with it, the limits are sane.
/// Every problem is reported, not only the first.
/// </summary>
internal sealed class AuditTrailOptionsValidator(AuditTrailBuilder builder, IEnumerable<AuditedToolsRegistration> tools) : IValidateOptions<AuditTrailOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditTrailOptions options)
    {
        var problems = new List<string>(builder.Problems);
        if (builder.Open is null)
        {
            problems.Add("No audit store is configured: call UseLiteDb(path) or UseStore(...) in AddAuditTrail, " +
                $"or set '{AuditTrailConfiguration.LiteDbPathKey}' in the bound configuration section.");
        }

        if (builder.LiteDbPath is { } path)
            CheckLiteDbPath(path, problems);
        if (builder.Configuration is { } section)
            problems.AddRange(AuditTrailConfiguration.Apply(section, new AuditTrailOptions()));

        CheckHmacKey(options, problems);
        CheckCommitmentKey(options, problems);

        if (!Enum.IsDefined(options.FailurePolicy))
            problems.Add($"FailurePolicy {(int)options.FailurePolicy} is not a failure policy. Use one of: {string.Join(", ", Enum.GetNames<AuditFailurePolicy>())}.");
        if (options.TimeProvider is null)
            problems.Add("TimeProvider must not be null.");
        if (options.MaxBatchSize < 1)
            problems.Add($"MaxBatchSize is {options.MaxBatchSize}; it must be at least 1.");
        if (options.QueueCapacity < 1)
            problems.Add($"QueueCapacity is {options.QueueCapacity}; it must be at least 1.");
        if (options.GroupCommitLinger < TimeSpan.Zero || options.GroupCommitLinger > AuditTrailOptions.MaxGroupCommitLinger)
            problems.Add($"GroupCommitLinger is {options.GroupCommitLinger}; it must be between zero (off) and {AuditTrailOptions.MaxGroupCommitLinger.TotalMilliseconds} ms.");
        if (options.MaxCapturedValueLength < 0)
            problems.Add($"MaxCapturedValueLength is {options.MaxCapturedValueLength}; it must not be negative.");
        if (options.Retention is { } retention)
            problems.AddRange(Retention.RetentionPolicySet.Validate(retention));

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckLiteDbPath(string path, List<string> problems)
    {
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            problems.Add($"The audit trail path '{path}' is not a valid file path: {e.Message}");
            return;
        }

        if (Directory.Exists(fullPath))
        {
            problems.Add($"The audit trail path '{fullPath}' is a directory; give the path of the trail's file inside it (for example '{Path.Combine(fullPath, "audit.db")}').");
            return;
        }

        var directory = Path.GetDirectoryName(fullPath);
        if (directory is not null && !Directory.Exists(directory))
            problems.Add($"The directory '{directory}' of the audit trail '{fullPath}' does not exist. Create it, or fix the path.");
    }

    private void CheckHmacKey(AuditTrailOptions options, List<string> problems)
    {
        var key = options.HmacKey;
        if (key is not null && key.Length < KeyedHmacRedactor.MinimumKeyLength)
        {
            problems.Add($"HmacKey has {key.Length} bytes; an HMAC key needs at least {KeyedHmacRedactor.MinimumKeyLength} random bytes.");
            return;
        }

        if (key is not null)
            return;
        var users = tools.SelectMany(t => t.Tools).Where(UsesHmac).Select(t => t.Name).Distinct().ToList();
        if (users.Count > 0)
        {
            problems.Add($"No HmacKey is set, but the registered tools {string.Join(", ", users.Select(u => "'" + u + "'"))} pseudonymise values with HMAC. " +
                $"Set a secret of at least {KeyedHmacRedactor.MinimumKeyLength} random bytes (UseHmacKey, or '{AuditTrailConfiguration.HmacKeyKey}' in configuration as base64).");
        }
        else if (builder.HmacKeyRequired)
        {
            problems.Add($"No HmacKey is set, and RequireHmacKey() asks for one: set a secret of at least {KeyedHmacRedactor.MinimumKeyLength} random bytes.");
        }
    }

    private void CheckCommitmentKey(AuditTrailOptions options, List<string> problems)
    {
        if (options.Erasure is { CommitmentKey: var key })
        {
            if (key is null || key.Length < Erasure.ErasureOptions.MinimumKeyLength)
                problems.Add($"Erasure.CommitmentKey has {key?.Length ?? 0} bytes; a commitment key needs at least {Erasure.ErasureOptions.MinimumKeyLength} random bytes.");
            return;
        }

        var sealing = tools.SelectMany(t => t.Tools).Where(t => t.Seals).Select(t => t.Name).Distinct().ToList();
        if (sealing.Count > 0)
        {
            problems.Add($"No commitment key is set, but the registered tools {string.Join(", ", sealing.Select(u => "'" + u + "'"))} seal values (RedactionStrategy.Seal). " +
                $"Set a secret of at least {Erasure.ErasureOptions.MinimumKeyLength} random bytes (UseCommitmentKey, or '{AuditTrailConfiguration.CommitmentKeyKey}' in configuration as base64).");
        }
    }

    private static bool UsesHmac(ToolDescriptor tool) =>
        RedactionEngine.StrategyForResult(tool) == RedactionStrategy.Hmac
        || tool.Parameters.Any(p => RedactionEngine.StrategyFor(p.Classification, p.Redaction) == RedactionStrategy.Hmac
            || p.Properties.Any(property => RedactionEngine.StrategyFor(p, property) == RedactionStrategy.Hmac));
}
