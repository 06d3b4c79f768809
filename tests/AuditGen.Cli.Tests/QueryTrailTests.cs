using System.Text.Json;

namespace AuditGen.Cli.Tests;

public sealed class QueryTrailTests
{
    private static async Task<(TempFolder Folder, string Path)> TrailAsync()
    {
        var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);
        return (folder, path);
    }

    // The sample trail is restricted: reading it is audited, so every listing names its reader.
    private static readonly string[] Auditor = ["--reader", "auditor.bob", "--role", "auditor"];

    private static Task<CliRun> QueryAsAuditor(params string[] args) => CliRun.Of([.. args, .. Auditor]);

    private static List<JsonElement> JsonLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();

    [Fact]
    public async Task Query_json_prints_every_record_as_one_parseable_line_in_sequence_order()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await QueryAsAuditor("query", path, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var records = JsonLines(run.Output);
        Assert.Equal(SampleTrail.RecordCount, records.Count);
        Assert.Equal(Enumerable.Range(0, SampleTrail.RecordCount).Select(i => (long)i), records.Select(r => r.GetProperty("sequence").GetInt64()));
        Assert.All(records, r => Assert.Matches("^[0-9a-f]{64}$", r.GetProperty("hash").GetString()));
    }

    [Fact]
    public async Task Query_by_conversation_lists_only_that_conversation()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await QueryAsAuditor("query", path, "--conversation", "conv-nurse", "--json");

        var records = JsonLines(run.Output);
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal("conv-nurse", r.GetProperty("conversationId").GetString()));
    }

    [Fact]
    public async Task Query_by_user_lists_only_that_users_records()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await QueryAsAuditor("query", path, "--user", "dr.grey", "--json");

        var records = JsonLines(run.Output);
        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.Equal("dr.grey", r.GetProperty("userId").GetString()));
    }

    [Fact]
    public async Task Query_by_tool_and_action_finds_the_failed_call()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await QueryAsAuditor("query", path, "--tool", "lookup_patient", "--action", "tool_failed", "--json");

        var failed = Assert.Single(JsonLines(run.Output));
        Assert.Equal("tool_failed", failed.GetProperty("action").GetString());
        Assert.Equal("failure", failed.GetProperty("outcome").GetString());
        Assert.Equal("System.Collections.Generic.KeyNotFoundException", failed.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Query_limit_caps_the_number_of_records()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await QueryAsAuditor("query", path, "--limit", "2", "--json");

        Assert.Equal(2, JsonLines(run.Output).Count);
    }

    [Fact]
    public async Task Query_with_a_time_window_in_the_past_finds_nothing()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await CliRun.Of("query", path, "--from", "2000-01-01", "--to", "2000-01-02");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("No records match.", run.Output);
    }

    [Fact]
    public async Task Query_table_shows_one_row_per_record_without_ANSI_escapes()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await QueryAsAuditor("query", path, "--conversation", "conv-doctor");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("get_lab_results", run.Output);
        Assert.Contains("tool_failed", run.Output);
        Assert.Contains("4 records", run.Output);
        Assert.DoesNotContain("conv-nurse", run.Output);
        OutputAssert.NoAnsiEscapes(run.AllText);
    }
}
