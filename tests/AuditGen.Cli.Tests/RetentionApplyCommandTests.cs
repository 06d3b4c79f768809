using System.Text.Json;

namespace AuditGen.Cli.Tests;

/// <summary>
/// <c>retention apply</c> runs at the real now: the sample trail was written in 2020, so by now (after 2026-01-01) all
/// its records, the 6-year hipaa ones included, have expired.
/// </summary>
public sealed class RetentionApplyCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<string> TrailAsync()
    {
        var path = _folder.File("audit.db");
        await RetentionTrail.CreateAsync(path);
        return path;
    }

    [Fact]
    public async Task Retention_apply_archives_what_no_hold_keeps_and_the_trail_still_verifies()
    {
        var path = await TrailAsync();
        await CliRun.Of("hold", "add", path, "--conversation", "conv-a", "--reason", "Matter 7", "--by", "counsel");
        var archive = _folder.File("archive");

        var run = await CliRun.Of("retention", "apply", path, "--archive", archive, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var outcome = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal(4, outcome.GetProperty("archived").GetInt64());
        Assert.Equal(1, outcome.GetProperty("held").GetInt64());
        var segment = Assert.Single(outcome.GetProperty("segments").EnumerateArray());
        Assert.False(segment.GetProperty("resumed").GetBoolean());
        Assert.Single(Directory.GetFiles(archive, "*.jsonl.gz"));
        Assert.Equal(ExitCodes.Success, (await CliRun.Of("verify", path)).ExitCode);
        var live = (await CliRun.Of("query", path, "--action", "tool_completed", "--json")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("conv-a", JsonDocument.Parse(Assert.Single(live)).RootElement.GetProperty("conversationId").GetString());
    }

    [Fact]
    public async Task Retention_apply_run_again_archives_nothing()
    {
        var path = await TrailAsync();
        var archive = _folder.File("archive");
        await CliRun.Of("retention", "apply", path, "--archive", archive);

        var again = await CliRun.Of("retention", "apply", path, "--archive", archive);

        Assert.Equal(ExitCodes.Success, again.ExitCode);
        Assert.Contains("Nothing to archive", again.Output);
        Assert.Single(Directory.GetFiles(archive, "*.jsonl.gz"));
    }

    [Fact]
    public async Task Retention_apply_prints_the_segments_it_wrote()
    {
        var path = await TrailAsync();

        var run = await CliRun.Of("retention", "apply", path, "--archive", _folder.File("archive"));

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Recorded the retention configuration", run.Output);
        Assert.Contains("5 records archived; 0 expired records held back by legal holds.", run.Output);
        OutputAssert.NoAnsiEscapes(run.Output);
    }

    [Fact]
    public async Task Retention_apply_without_an_archive_folder_is_a_usage_error()
    {
        var path = await TrailAsync();

        var run = await CliRun.Of("retention", "apply", path);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--archive", run.Error);
    }

    [Fact]
    public async Task Retention_apply_to_a_file_instead_of_a_folder_is_a_usage_error_and_archives_nothing()
    {
        var path = await TrailAsync();
        var file = _folder.File("not-a-folder");
        await File.WriteAllTextAsync(file, "x");

        var run = await CliRun.Of("retention", "apply", path, "--archive", file);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("is a file", run.Error);
        Assert.Equal(5, (await CliRun.Of("query", path, "--action", "tool_completed", "--json")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Retention_apply_with_an_eu_ai_act_period_below_the_minimum_is_refused()
    {
        var path = await TrailAsync();
        var settings = _folder.File("appsettings.json");
        await File.WriteAllTextAsync(settings, """{ "AuditTrail": { "Retention": { "EuAiActRetention": "P3M" } } }""");

        var run = await CliRun.Of("retention", "apply", path, "--archive", _folder.File("archive"), "--config", settings);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("below the EU AI Act's minimum of 6 months", run.Error);
        Assert.False(Directory.Exists(_folder.File("archive")));
    }

    [Fact]
    public async Task Retention_apply_on_a_missing_trail_reports_it_unavailable()
    {
        var run = await CliRun.Of("retention", "apply", _folder.File("missing.db"), "--archive", _folder.File("archive"));

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("trail not found", run.Error);
    }
}
