using Microsoft.Extensions.Time.Testing;

namespace AuditGen.Cli.Tests;

/// <summary>
/// A trail written on 2020-01-01 (fake clock): soc2 records in conversations conv-a and conv-b, two hipaa records, one
/// with no domain. On 2022-01-01 the soc2 and no-domain records (1 year) have expired, the hipaa one (6 years) has not.
/// </summary>
internal static class RetentionTrail
{
    public static readonly DateTimeOffset Written = new(2020, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public const string TwoYearsLater = "2022-01-01T00:00:00Z";

    public static async Task CreateAsync(string path)
    {
        await using var trail = AuditTrail.OpenLiteDb(path, Options);
        await AppendAsync(trail);
    }

    /// <summary>Options whose clock is <see cref="Written"/>.</summary>
    public static AuditTrailOptions Options => new() { TimeProvider = new FakeTimeProvider(Written) };

    /// <summary>Appends the five records to <paramref name="trail"/> (opened with <see cref="Options"/>), whatever its store.</summary>
    public static async Task AppendAsync(IAuditTrail trail)
    {
        await trail.AppendAsync(Entry(ComplianceDomain.Soc2, "conv-a"));   // 0: expired, held by a conv-a hold
        await trail.AppendAsync(Entry(ComplianceDomain.Soc2, "conv-b"));   // 1: expired
        await trail.AppendAsync(Entry(ComplianceDomain.Hipaa, "conv-b"));  // 2: kept until 2026
        await trail.AppendAsync(Entry(ComplianceDomain.None, "conv-c"));   // 3: expired (default policy)
        await trail.AppendAsync(Entry(ComplianceDomain.Hipaa, "conv-c"));  // 4: kept until 2026 (and the chain's newest)
    }

    private static AuditEntry Entry(ComplianceDomain domains, string conversation) => new()
    {
        Action = AuditAction.ToolCompleted,
        ActorId = "assistant",
        ConversationId = conversation,
        UserId = "dr.grey",
        ToolName = "lookup_patient",
        Domains = domains,
        Outcome = AuditOutcome.Success,
    };
}
