using AuditGen.Queries;

namespace AuditGen.TrailConformance;

// A statistics pass gives the same answers on every store.
public abstract partial class TrailConformanceTests
{
    [StoreFact]
    public async Task A_statistics_pass_counts_calls_errors_percentiles_and_days()
    {
        var trail = await OpenAsync();
        // Two UTC days: day 1 has 3 calls of lookup_patient (1, 2, 3 ms; the last fails), day 2 one call of schedule_visit (4 ms).
        var day1 = new DateTimeOffset(2025, 3, 15, 0, 0, 0, TimeSpan.Zero);
        foreach (var (offset, tool, micros, failed) in new[]
        {
            (TimeSpan.FromHours(1), "lookup_patient", 1_000L, false),
            (TimeSpan.FromHours(2), "lookup_patient", 2_000L, false),
            (TimeSpan.FromHours(3), "lookup_patient", 3_000L, true),
            (TimeSpan.FromHours(25), "schedule_visit", 4_000L, false),
        })
        {
            Time.SetUtcNow(day1 + offset);
            await trail.AppendAsync(ConformanceEntries.ToolCall(0) with { Action = AuditAction.ToolInvoked, ToolName = tool, DurationMicros = null });
            await trail.AppendAsync(ConformanceEntries.ToolCall(1) with
            {
                Action = failed ? AuditAction.ToolFailed : AuditAction.ToolCompleted,
                ToolName = tool,
                DurationMicros = micros,
                Outcome = failed ? AuditOutcome.Failure : AuditOutcome.Success,
            });
        }

        var report = await AuditStatistics.ComputeAsync(trail, new AuditStatisticsOptions { Alerts = new VolumeAlertOptions { DailyCeiling = 5 }, RaiseAlerts = false });

        Assert.Equal(8, report.Records);
        Assert.Equal(
            [new ToolUsage("lookup_patient", 3, 1, 1.0 / 3, 2_000, 3_000), new ToolUsage("schedule_visit", 1, 0, 0, 4_000, 4_000)],
            report.Tools);
        Assert.Equal(
            [new DailyVolume(DateOnly.FromDateTime(day1.UtcDateTime), 6, 3, 1, 1.0 / 3, report.Days[0].Alert), new DailyVolume(DateOnly.FromDateTime(day1.UtcDateTime).AddDays(1), 2, 1, 0, 0, null)],
            report.Days);
        Assert.Equal(VolumeAlertKind.Ceiling, report.Days[0].Alert!.Kind);
    }
}
