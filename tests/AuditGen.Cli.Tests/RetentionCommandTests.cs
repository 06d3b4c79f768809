using System.Text.Json;

namespace AuditGen.Cli.Tests;

public sealed class RetentionCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<string> TrailAsync()
    {
        var path = _folder.File("audit.db");
        await RetentionTrail.CreateAsync(path);
        return path;
    }

    private static List<JsonElement> JsonLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    [Fact]
    public async Task Retention_plan_json_lists_each_record_to_archive_with_its_policy_then_a_summary()
    {
        var path = await TrailAsync();

        var run = await CliRun.Of("retention", "plan", path, "--at", RetentionTrail.TwoYearsLater, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var lines = JsonLines(run.Output);
        Assert.Equal([0L, 1L, 3L], lines.SkipLast(1).Select(l => l.GetProperty("sequence").GetInt64()));
        Assert.Equal("soc2", lines[0].GetProperty("policy").GetString());
        Assert.Equal("2021-01-01T12:00:00.000000Z", lines[0].GetProperty("expiresAt").GetString());
        Assert.Equal("default", lines[2].GetProperty("policy").GetString());
        var summary = lines[^1];
        Assert.Equal("summary", summary.GetProperty("kind").GetString());
        Assert.Equal(3, summary.GetProperty("plan").GetProperty("archived").GetInt64());
        Assert.Equal(2, summary.GetProperty("plan").GetProperty("kept").GetInt64());
        Assert.True(summary.GetProperty("policySetChanged").GetBoolean());
    }

    [Fact]
    public async Task Retention_plan_lists_records_held_back_with_the_hold_that_keeps_them()
    {
        var path = await TrailAsync();
        var add = await CliRun.Of("hold", "add", path, "--conversation", "conv-a", "--reason", "Matter 7", "--by", "counsel", "--json");
        var holdId = JsonDocument.Parse(add.Output).RootElement.GetProperty("holdId").GetString();

        var json = JsonLines((await CliRun.Of("retention", "plan", path, "--at", RetentionTrail.TwoYearsLater, "--json")).Output);
        var table = await CliRun.Of("retention", "plan", path, "--at", RetentionTrail.TwoYearsLater);

        var held = json.Single(l => l.GetProperty("kind").GetString() == "record" && l.GetProperty("disposition").GetString() == "held");
        Assert.Equal(0, held.GetProperty("sequence").GetInt64());
        Assert.Equal(holdId, held.GetProperty("heldBy")[0].GetString());
        Assert.Equal(ExitCodes.Success, table.ExitCode);
        Assert.Contains("Held back", table.Output);
        Assert.Contains(holdId!, table.Output);
        Assert.Contains("2 records would be archived.", table.Output);
        OutputAssert.NoAnsiEscapes(table.Output);
    }

    [Fact]
    public async Task Retention_plan_shows_counts_per_policy()
    {
        var path = await TrailAsync();

        var run = await CliRun.Of("retention", "plan", path, "--at", RetentionTrail.TwoYearsLater);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Records: 5; to archive: 3; held back: 0; kept: 2; lifecycle (never expire): 0", run.Output);
        Assert.Matches(@"hipaa\s*│\s*P6Y\s*│\s*-\s*│\s*2\s*│\s*0\s*│\s*0\s*│\s*2", run.Output);
        Assert.Matches(@"soc2\s*│\s*P1Y\s*│\s*-\s*│\s*2\s*│\s*2", run.Output);
        Assert.Contains("Next expiry: 2026-01-01T12:00:00.000000Z", run.Output);
    }

    [Fact]
    public async Task Retention_plan_writes_nothing_to_the_trail()
    {
        var path = await TrailAsync();
        var before = await File.ReadAllBytesAsync(path + ".journal");

        await CliRun.Of("retention", "plan", path, "--at", RetentionTrail.TwoYearsLater);

        Assert.Equal(before, await File.ReadAllBytesAsync(path + ".journal"));
    }

    [Fact]
    public async Task Retention_plan_uses_the_retention_block_of_the_settings_file()
    {
        var path = await TrailAsync();
        var settings = _folder.File("appsettings.json");
        await File.WriteAllTextAsync(settings, """
            { "AuditTrail": { "Retention": { "Policies": { "audit-3y": { "Retention": "P3Y" } }, "Domains": { "soc2": "audit-3y" } } } }
            """);

        var run = await CliRun.Of("retention", "plan", path, "--at", RetentionTrail.TwoYearsLater, "--config", settings, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal([3L], JsonLines(run.Output).SkipLast(1).Select(l => l.GetProperty("sequence").GetInt64()));
    }

    [Fact]
    public async Task Retention_plan_with_an_unknown_policy_fails_naming_it_and_the_known_ones()
    {
        var path = await TrailAsync();
        var settings = _folder.File("appsettings.json");
        await File.WriteAllTextAsync(settings, """{ "AuditTrail": { "Retention": { "Domains": { "financial": "sox" } } } }""");

        var run = await CliRun.Of("retention", "plan", path, "--config", settings);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("unknown retention policy 'sox'. Known policies: default, eu-ai-act, financial, gdpr, hipaa, pci, soc2.", run.Error);
        OutputAssert.SingleLine(run.Error);
        OutputAssert.NoStackTrace(run.Error);
    }

    [Fact]
    public async Task Retention_plan_with_a_missing_settings_file_is_a_usage_error()
    {
        var path = await TrailAsync();

        var run = await CliRun.Of("retention", "plan", path, "--config", _folder.File("nope.json"));

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("does not exist", run.Error);
    }

    [Fact]
    public async Task Retention_plan_with_an_unreadable_instant_is_a_usage_error()
    {
        var path = await TrailAsync();

        var run = await CliRun.Of("retention", "plan", path, "--at", "next tuesday");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--at: 'next tuesday' is not a date/time", run.Error);
    }

    [Fact]
    public async Task Retention_plan_on_a_missing_trail_reports_it_unavailable()
    {
        var run = await CliRun.Of("retention", "plan", _folder.File("missing.db"));

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
    }
}
