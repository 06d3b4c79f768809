using System.Text.Json;

namespace AuditGen.Cli.Tests;

public sealed class ArchiveCommandTests
{
    [Fact]
    public async Task Archive_by_sequences_then_verify_with_the_archive_folder_both_succeed()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        var archive = folder.File("archive");
        await SampleTrail.CreateAsync(path);

        var run = await CliRun.Of("archive", path, "--to", archive, "--sequences", "0-1,3");
        var verify = await CliRun.Of("verify", path, "--archive", archive);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Records archived: 3 (sequences 0 to 3)", run.Output);
        Assert.Matches("Segment SHA-256: [0-9a-f]{64}", run.Output);
        Assert.Equal(ExitCodes.Success, verify.ExitCode);
        Assert.Contains("Result: valid", verify.Output);
        Assert.Contains("3 archived records checked", verify.Output);
        OutputAssert.NoAnsiEscapes(run.AllText + verify.AllText);
    }

    [Fact]
    public async Task Archive_before_a_date_takes_every_older_record_but_the_newest_and_reports_json()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);

        var run = await CliRun.Of("archive", path, "--to", folder.File("archive"), "--before", "2999-01-01", "--reason", "test", "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var json = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal(SampleTrail.RecordCount - 1, json.GetProperty("count").GetInt64());
        Assert.False(json.GetProperty("resumed").GetBoolean());
    }

    [Fact]
    public async Task Verify_names_a_missing_segment_and_exits_1()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        var archive = folder.File("archive");
        await SampleTrail.CreateAsync(path);
        await CliRun.Of("archive", path, "--to", archive, "--sequences", "1,2");
        var segment = Directory.GetFiles(archive, "*.jsonl.gz").Single();
        File.Delete(segment);

        var run = await CliRun.Of("verify", path, "--archive", archive, "--json");

        Assert.Equal(ExitCodes.Tampered, run.ExitCode);
        var json = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal("archive_missing", json.GetProperty("failure").GetString());
        Assert.Equal(Path.GetFileName(segment)[..^".jsonl.gz".Length], json.GetProperty("archive").GetProperty("segment").GetString());
        Assert.Equal(1, json.GetProperty("firstBrokenSequence").GetInt64());
    }

    [Fact]
    public async Task Verify_with_an_archive_folder_that_does_not_exist_exits_3_naming_it()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);

        var run = await CliRun.Of("verify", path, "--archive", folder.File("nowhere"));

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("archive folder not found", run.Error);
        Assert.Contains("nowhere", run.Error);
    }

    [Theory]
    [InlineData("--sequences", "5-2", "runs backwards")]
    [InlineData("--sequences", "1,x", "not a sequence number")]
    [InlineData("--sequences", "1,1", "more than once")]
    [InlineData("--sequences", "5", "newest")]
    [InlineData("--before", "yesterday-ish", "not a date")]
    public async Task A_bad_selection_exits_2_with_a_clear_error_and_changes_nothing(string option, string value, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);

        var run = await CliRun.Of("archive", path, "--to", folder.File("archive"), option, value);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(expected, run.Error);
        Assert.Equal(ExitCodes.Success, (await CliRun.Of("verify", path)).ExitCode);
        Assert.False(Directory.Exists(folder.File("archive")) && Directory.EnumerateFiles(folder.File("archive")).Any());
    }

    [Fact]
    public async Task A_date_range_that_runs_backwards_is_refused()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);

        var run = await CliRun.Of("archive", path, "--to", folder.File("archive"), "--after", "2025-06-01", "--before", "2025-01-01");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("backwards", run.Error);
    }

    [Fact]
    public async Task Archive_needs_exactly_one_selection()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);

        var run = await CliRun.Of("archive", path, "--to", folder.File("archive"));

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("exactly one of --sequences or --before", run.Error);
    }
}
