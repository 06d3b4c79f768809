using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace AuditGen.Cli.Tests;

public sealed class StatsCommandTests
{
    // Three UTC days from 2025-01-01: 4, 4 and 12 records (2, 2 and 6 calls of lookup_patient; one failure a day).
    private static async Task<(TempFolder Folder, string Path)> TrailAsync()
    {
        var folder = new TempFolder();
        var path = folder.File("audit.db");
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var trail = AuditTrail.OpenLiteDb(path, new AuditTrailOptions { TimeProvider = time });
        foreach (var (day, calls) in new[] { (0, 2), (1, 2), (2, 6) })
        {
            for (var i = 0; i < calls; i++)
            {
                time.SetUtcNow(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(day).AddMinutes(i));
                var failed = i == 0;
                await trail.AppendAsync(new AuditEntry { Action = AuditAction.ToolInvoked, ToolName = "lookup_patient", Classification = DataClass.Restricted });
                await trail.AppendAsync(new AuditEntry
                {
                    Action = failed ? AuditAction.ToolFailed : AuditAction.ToolCompleted,
                    ToolName = "lookup_patient",
                    Classification = DataClass.Restricted,
                    Outcome = failed ? AuditOutcome.Failure : AuditOutcome.Success,
                    DurationMicros = (i + 1) * 1_000,
                });
            }
        }
        return (folder, path);
    }

    [Fact]
    public async Task Stats_json_reports_tools_days_and_the_ceiling_alert()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await CliRun.Of("stats", path, "--ceiling", "10", "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var report = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal(20, report.GetProperty("records").GetInt64());
        var tool = Assert.Single(report.GetProperty("tools").EnumerateArray().ToList());
        Assert.Equal("lookup_patient", tool.GetProperty("tool").GetString());
        Assert.Equal(10, tool.GetProperty("calls").GetInt64());
        Assert.Equal(3, tool.GetProperty("errors").GetInt64());
        // Durations 1,2 | 1,2 | 1..6 ms: sorted 1,1,1,2,2,2,3,4,5,6; nearest rank 5 → 2 ms, rank 10 → 6 ms.
        Assert.Equal(2_000, tool.GetProperty("p50Micros").GetInt64());
        Assert.Equal(6_000, tool.GetProperty("p95Micros").GetInt64());
        var days = report.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(["2025-01-01", "2025-01-02", "2025-01-03"], days.Select(d => d.GetProperty("day").GetString()));
        Assert.Equal([4L, 4L, 12L], days.Select(d => d.GetProperty("records").GetInt64()));
        Assert.Equal(0.5, days[0].GetProperty("errorRate").GetDouble());
        Assert.Equal(JsonValueKind.Null, days[0].GetProperty("alert").ValueKind);
        Assert.Equal("ceiling", Assert.Single(days[2].GetProperty("alert").GetProperty("kinds").EnumerateArray().ToList()).GetString());
        Assert.Equal(["2025-01-03"], report.GetProperty("alertDays").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public async Task Stats_table_flags_the_alert_day_without_ANSI_escapes()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await CliRun.Of("stats", path, "--ceiling", "10");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("lookup_patient", run.Output);
        Assert.Contains("30.0%", run.Output);
        var alertLine = Assert.Single(run.Output.Split('\n'), l => l.Contains("ALERT"));
        Assert.Contains("2025-01-03", alertLine);
        Assert.Contains("above ceiling 10", alertLine);
        Assert.Contains("1 day raised a volume alert.", run.Output);
        OutputAssert.NoAnsiEscapes(run.AllText);
    }

    [Fact]
    public async Task Stats_with_a_range_counts_only_the_records_in_it()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await CliRun.Of("stats", path, "--from", "2025-01-02", "--to", "2025-01-03", "--json");

        var report = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal(4, report.GetProperty("records").GetInt64());
        Assert.Equal("2025-01-02", Assert.Single(report.GetProperty("days").EnumerateArray().ToList()).GetProperty("day").GetString());
    }

    [Fact]
    public async Task Stats_opens_the_trail_read_only_and_appends_nothing()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;
        await using var running = AuditTrail.OpenLiteDb(path, new AuditTrailOptions());

        var run = await CliRun.Of("stats", path, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(20, JsonDocument.Parse(run.Output).RootElement.GetProperty("records").GetInt64());
    }

    [Fact]
    public async Task Stats_with_from_after_to_exits_2_before_touching_the_trail()
    {
        using var folder = new TempFolder();

        var run = await CliRun.Of("stats", folder.File("audit.db"), "--from", "2025-02-01", "--to", "2025-01-01");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--from (2025-02-01T00:00:00.000000Z) is after --to (2025-01-01T00:00:00.000000Z)", run.Error);
    }

    [Fact]
    public async Task Stats_of_a_missing_trail_exits_3()
    {
        using var folder = new TempFolder();

        var run = await CliRun.Of("stats", folder.File("missing.db"));

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("trail not found", run.Error);
        OutputAssert.NoStackTrace(run.AllText);
    }

    [Fact]
    public async Task Stats_of_a_garbage_file_exits_3()
    {
        using var folder = new TempFolder();
        var path = folder.File("x.db");
        await File.WriteAllTextAsync(path, "not a trail\n");

        var run = await CliRun.Of("stats", path, "--json");

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("not an AuditGen trail", run.Error);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("many")]
    public async Task Stats_with_a_ceiling_that_is_not_a_count_exits_2(string ceiling)
    {
        var run = await CliRun.Of("stats", "audit.db", "--ceiling", ceiling);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--ceiling", run.Error);
    }
}
