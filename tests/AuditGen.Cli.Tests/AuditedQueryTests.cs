using System.Text.Json;

namespace AuditGen.Cli.Tests;

public sealed class AuditedQueryTests
{
    private static async Task<(TempFolder Folder, string Path)> TrailAsync()
    {
        var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);
        return (folder, path);
    }

    private static List<JsonElement> JsonLines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    private static async Task<List<AuditRecord>> AccessRecordsAsync(string path)
    {
        await using var trail = AuditTrail.OpenLiteDb(path, new AuditTrailOptions { ReadOnly = true });
        var records = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.AuditLogAccessed }))
            records.Add(record);
        return records;
    }

    [Fact]
    public async Task Query_of_restricted_records_without_a_reader_prints_nothing_and_says_what_it_needs()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await CliRun.Of("query", path, "--json");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.Contains("6 of the matching records are confidential or restricted", run.Error);
        Assert.Contains("--reader ID and --role auditor|admin|operator", run.Error);
        Assert.Contains("opens the trail for writing", run.Error);
        Assert.Empty(await AccessRecordsAsync(path));
    }

    [Fact]
    public async Task Query_with_a_reader_appends_the_access_record_with_the_filter_and_count()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await CliRun.Of("query", path, "--user", "dr.grey", "--reader", "auditor.bob", "--role", "auditor", "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(4, JsonLines(run.Output).Count);
        var access = Assert.Single(await AccessRecordsAsync(path));
        Assert.Equal("auditor.bob", access.ActorId);
        Assert.Equal(
            """{"filter":{"userId":"dr.grey"},"firstSequence":2,"lastSequence":5,"reader":"auditor.bob","returned":4,"role":"auditor","withheld":0}""",
            access.Details);
    }

    [Fact]
    public async Task Query_as_an_operator_prints_restricted_records_redacted_and_marked()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await CliRun.Of("query", path, "--action", "tool_failed", "--reader", "sre.alice", "--role", "operator", "--json");

        var line = Assert.Single(JsonLines(run.Output));
        Assert.Equal("redacted", line.GetProperty("view").GetString());
        Assert.Equal("restricted", line.GetProperty("details").GetProperty("withheld").GetString());
        Assert.Equal("[withheld]", line.GetProperty("error").GetProperty("message").GetString());
        Assert.DoesNotContain("No such patient", run.Output);
        Assert.Contains("\"withheld\":1", Assert.Single(await AccessRecordsAsync(path)).Details);
    }

    [Fact]
    public async Task Query_table_as_an_auditor_names_the_access_record()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await CliRun.Of("query", path, "--conversation", "conv-nurse", "--reader", "auditor.bob", "--role", "auditor");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("2 records", run.Output);
        Assert.Contains("recorded as audit_log_accessed, sequence 6", run.Output);
    }

    [Fact]
    public async Task Query_of_public_records_needs_no_reader_and_leaves_no_record()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await using (var trail = AuditTrail.OpenLiteDb(path, new AuditTrailOptions()))
            await trail.AppendAsync(new AuditEntry { Action = AuditAction.ToolCompleted, ToolName = "clinic_hours", Classification = DataClass.Public });

        var run = await CliRun.Of("query", path, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Single(JsonLines(run.Output));
        Assert.Empty(await AccessRecordsAsync(path));
    }

    [Fact]
    public async Task Query_with_a_reader_on_a_trail_held_by_a_writer_exits_3_and_explains_the_write_lock()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;
        await using var running = AuditTrail.OpenLiteDb(path, new AuditTrailOptions());

        var run = await CliRun.Of("query", path, "--reader", "auditor.bob", "--role", "auditor");

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("is locked", run.Error);
        Assert.Contains("appends an audit_log_accessed record, so it needs the write lock", run.Error);
        OutputAssert.SingleLine(run.Error);
    }

    [Fact]
    public async Task Query_with_a_reader_but_no_role_exits_2()
    {
        var run = await CliRun.Of("query", "audit.db", "--reader", "auditor.bob");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--reader and --role go together", run.Error);
    }

    [Fact]
    public async Task Query_with_an_unknown_role_exits_2_and_lists_the_roles()
    {
        var run = await CliRun.Of("query", "audit.db", "--reader", "x", "--role", "superuser");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("unknown role 'superuser'", run.Error);
        Assert.Contains("auditor", run.Error);
    }

    [Fact]
    public async Task Query_by_resource_type_and_outcome_finds_the_failed_call()
    {
        var (folder, path) = await TrailAsync();
        using var _ = folder;

        var run = await CliRun.Of("query", path, "--resource-type", "Patient", "--outcome", "failure", "--min-classification", "restricted",
            "--reader", "auditor.bob", "--role", "auditor", "--json");

        Assert.Equal("tool_failed", Assert.Single(JsonLines(run.Output)).GetProperty("action").GetString());
    }
}
