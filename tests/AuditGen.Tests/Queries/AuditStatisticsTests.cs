using AuditGen.Queries;

namespace AuditGen.Tests.Queries;

public sealed class AuditStatisticsTests(GeneratedTrail generated) : IClassFixture<GeneratedTrail>
{
    private static readonly AuditStatisticsOptions WithCeiling = new() { Alerts = new VolumeAlertOptions { DailyCeiling = GeneratedTrail.Ceiling }, RaiseAlerts = false };

    private async Task<AuditStatisticsReport> ComputeAsync(AuditStatisticsOptions? options = null)
    {
        await using var trail = generated.OpenReadOnly();
        return await AuditStatistics.ComputeAsync(trail, options ?? WithCeiling);
    }

    private static DateOnly Day(int d) => GeneratedTrail.FirstDay.AddDays(d);

    private static DateTimeOffset Start(int d) => new(Day(d).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    [Fact]
    public async Task Tool_usage_counts_calls_and_errors_per_tool()
    {
        var report = await ComputeAsync();

        // 258 calls over 21 days, half per tool; i % 5 == 4 fails: 24 calls of each tool.
        Assert.Equal(516, report.Records);
        Assert.Equal(["lookup_patient", "schedule_visit"], report.Tools.Select(t => t.ToolName));
        Assert.All(report.Tools, t => Assert.Equal((129L, 24L), (t.Calls, t.Errors)));
        Assert.All(report.Tools, t => Assert.Equal(24.0 / 129, t.ErrorRate, 12));
    }

    [Fact]
    public async Task Tool_percentiles_are_nearest_rank_over_the_calls_durations()
    {
        var report = await ComputeAsync();

        // 105 fast calls then 24 slow ones: rank ⌈0.5·129⌉ = 65 is fast, rank ⌈0.95·129⌉ = 123 is slow.
        var lookup = report.Tools.Single(t => t.ToolName == "lookup_patient");
        Assert.Equal((1_000L, 5_000L), (lookup.P50Micros, lookup.P95Micros));
        var schedule = report.Tools.Single(t => t.ToolName == "schedule_visit");
        Assert.Equal((2_000L, 30_000L), (schedule.P50Micros, schedule.P95Micros));
    }

    [Fact]
    public async Task Daily_volume_is_every_record_of_each_utc_day()
    {
        var report = await ComputeAsync();

        Assert.Equal(Enumerable.Range(0, GeneratedTrail.Days).Select(Day), report.Days.Select(d => d.Day));
        Assert.Equal(Enumerable.Range(0, GeneratedTrail.Days).Select(d => (long)GeneratedTrail.VolumeOf(d)), report.Days.Select(d => d.Records));
    }

    [Fact]
    public async Task Daily_error_rate_is_failed_calls_over_finished_calls()
    {
        var report = await ComputeAsync();

        // 30 calls: 6 fail; 20 calls: 4; 10 calls: 2 (0.2); 12 calls: 2 (1/6).
        Assert.Equal((30L, 6L), (report.Days[0].ToolCalls, report.Days[0].ToolErrors));
        Assert.Equal((20L, 4L), (report.Days[15].ToolCalls, report.Days[15].ToolErrors));
        Assert.Equal(0.2, report.Days[2].ErrorRate!.Value, 12);
        Assert.Equal(1.0 / 6, report.Days[3].ErrorRate!.Value, 12);
    }

    [Fact]
    public async Task A_day_over_the_ceiling_alerts_by_ceiling_even_without_history()
    {
        var report = await ComputeAsync();

        var alert = report.Days[0].Alert!;
        Assert.Equal(VolumeAlertKind.Ceiling, alert.Kind);
        Assert.Equal(60, alert.Records);
        Assert.Equal(50, alert.Ceiling);
        Assert.Null(alert.TrailingMean);
    }

    [Fact]
    public async Task A_day_more_than_three_sigma_above_the_trailing_fourteen_day_mean_alerts_by_deviation()
    {
        var report = await ComputeAsync();

        var alert = report.Days[15].Alert!;
        Assert.Equal(VolumeAlertKind.Deviation, alert.Kind);
        Assert.Equal(40, alert.Records);
        Assert.Equal(22, alert.TrailingMean!.Value, 12);
        Assert.Equal(2, alert.TrailingStandardDeviation!.Value, 12);
        Assert.Equal(28, alert.DeviationLimit!.Value, 12);
    }

    [Fact]
    public async Task Quiet_days_do_not_alert()
    {
        var report = await ComputeAsync();

        Assert.Equal([Day(0), Day(15)], report.Alerts.Select(a => a.Day));
        Assert.All(report.Days.Where(d => d.Day != Day(0) && d.Day != Day(15)), d => Assert.Null(d.Alert));
    }

    [Fact]
    public async Task Without_a_ceiling_only_the_deviation_rule_applies()
    {
        var report = await ComputeAsync(new AuditStatisticsOptions { RaiseAlerts = false });

        Assert.Equal(Day(15), Assert.Single(report.Alerts).Day);
    }

    [Fact]
    public async Task A_range_limits_the_figures_but_the_window_still_sees_the_days_before_it()
    {
        var report = await ComputeAsync(WithCeiling with { From = Start(15), To = Start(17) });

        Assert.Equal([Day(15), Day(16)], report.Days.Select(d => d.Day));
        Assert.Equal(60, report.Records);
        Assert.Equal(30, report.Tools.Sum(t => t.Calls));
        Assert.Equal(Day(15), Assert.Single(report.Alerts).Day);
        Assert.Equal(22, report.Alerts[0].TrailingMean!.Value, 12);
    }

    [Fact]
    public async Task A_range_that_ends_before_it_starts_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ComputeAsync(WithCeiling with { From = Start(3), To = Start(2) }));

        Assert.Contains("after it ends", error.Message);
    }

    [Fact]
    public async Task The_rules_come_from_the_trail_options_when_the_pass_names_none()
    {
        await using var trail = generated.OpenReadOnly(new AuditTrailOptions { VolumeAlerts = new VolumeAlertOptions { DailyCeiling = 23 } });

        var report = await AuditStatistics.ComputeAsync(trail, new AuditStatisticsOptions { RaiseAlerts = false });

        // Days 0 (60) and 15 (40) and the nine other odd days (24) are above 23.
        Assert.Equal(2 + 9, report.Alerts.Count(a => a.Kind.HasFlag(VolumeAlertKind.Ceiling)));
        Assert.Equal(VolumeAlertKind.Ceiling | VolumeAlertKind.Deviation, report.Days[15].Alert!.Kind);
    }

    [Fact]
    public async Task Progress_reports_the_records_read()
    {
        var seen = new List<long>();
        await using var trail = generated.OpenReadOnly();

        await AuditStatistics.ComputeAsync(trail, WithCeiling, new SynchronousProgress(seen.Add));

        Assert.Equal(516, seen[^1]);
    }

    [Fact]
    public async Task An_empty_trail_has_no_days_tools_or_alerts()
    {
        using var folder = new Support.TrailFolder();
        await using var trail = folder.Open();

        var report = await AuditStatistics.ComputeAsync(trail, WithCeiling);

        Assert.Equal(0, report.Records);
        Assert.Empty(report.Days);
        Assert.Empty(report.Tools);
        Assert.Empty(report.Alerts);
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
