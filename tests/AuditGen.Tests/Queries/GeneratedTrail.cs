using Microsoft.Extensions.Time.Testing;

namespace AuditGen.Tests.Queries;

/// <summary>
/// A trail of 21 UTC days from 2025-01-01 with known answers. Day d has V(d) records = V(d)/2 tool calls, each a
/// <c>tool_invoked</c> plus a completion: V(0) = 60 (above the ceiling of 50, before any history), V(15) = 40 (the σ
/// spike: days 1–14 alternate 24, 20, so mean 22, σ 2, limit 28), otherwise 20 on even days and 24 on odd days.
/// Call i of a day (i = 0, 1, …) goes to <c>lookup_patient</c> when i is even, else <c>schedule_visit</c>, one minute
/// apart from 00:00; it fails when i % 5 == 4. Durations: lookup_patient 1 ms, 5 ms when failed; schedule_visit 2 ms,
/// 30 ms when failed.
/// </summary>
public sealed class GeneratedTrail : IAsyncLifetime
{
    public const long Ceiling = 50;
    public static readonly DateOnly FirstDay = new(2025, 1, 1);
    public const int Days = 21;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "auditgen-tests", "stats-" + Guid.NewGuid().ToString("N"));

    public string DbPath => Path.Combine(_folder, "audit.db");

    public static int VolumeOf(int day) => day switch
    {
        0 => 60,
        15 => 40,
        _ => day % 2 == 0 ? 20 : 24,
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var time = new FakeTimeProvider(new DateTimeOffset(FirstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        await using var trail = AuditTrail.OpenLiteDb(DbPath, new AuditTrailOptions { TimeProvider = time });
        for (var day = 0; day < Days; day++)
        {
            var start = new DateTimeOffset(FirstDay.AddDays(day).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            for (var i = 0; i < VolumeOf(day) / 2; i++)
            {
                time.SetUtcNow(start.AddMinutes(i));
                var lookup = i % 2 == 0;
                var failed = i % 5 == 4;
                var tool = lookup ? "lookup_patient" : "schedule_visit";
                await trail.AppendAsync(Entry(AuditAction.ToolInvoked, tool, AuditOutcome.Success, null));
                await trail.AppendAsync(Entry(failed ? AuditAction.ToolFailed : AuditAction.ToolCompleted, tool,
                    failed ? AuditOutcome.Failure : AuditOutcome.Success, (lookup, failed) switch
                    {
                        (true, false) => 1_000,
                        (true, true) => 5_000,
                        (false, false) => 2_000,
                        (false, true) => 30_000,
                    }));
            }
        }
    }

    public LiteDbAuditTrail OpenReadOnly() => AuditTrail.OpenLiteDb(DbPath, new AuditTrailOptions { ReadOnly = true });

    public LiteDbAuditTrail OpenReadOnly(AuditTrailOptions options)
    {
        options.ReadOnly = true;
        return AuditTrail.OpenLiteDb(DbPath, options);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private static AuditEntry Entry(AuditAction action, string tool, AuditOutcome outcome, long? durationMicros) => new()
    {
        Action = action,
        ActorId = "triage-agent",
        ConversationId = "conv-gen",
        UserId = "dr.house",
        ToolName = tool,
        Classification = DataClass.Restricted,
        Domains = ComplianceDomain.Hipaa,
        Outcome = outcome,
        DurationMicros = durationMicros,
        Error = outcome == AuditOutcome.Failure ? new AuditError("System.TimeoutException", "timed out") : null,
    };
}
