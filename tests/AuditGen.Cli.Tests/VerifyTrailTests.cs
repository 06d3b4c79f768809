using System.Text.Json;

namespace AuditGen.Cli.Tests;

public sealed class VerifyTrailTests
{
    [Fact]
    public async Task Verify_of_a_valid_trail_exits_0_and_reports_the_records_checked_and_head_hash()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);

        var run = await CliRun.Of("verify", path);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains($"Records checked: {SampleTrail.RecordCount}", run.Output);
        Assert.Contains("Result: valid", run.Output);
        Assert.Matches("Head hash: [0-9a-f]{64}", run.Output);
        OutputAssert.NoAnsiEscapes(run.AllText);
    }

    [Fact]
    public async Task Verify_json_of_a_valid_trail_reports_valid_with_count_and_head()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);

        var run = await CliRun.Of("verify", path, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var json = JsonDocument.Parse(run.Output).RootElement;
        Assert.True(json.GetProperty("valid").GetBoolean());
        Assert.Equal(SampleTrail.RecordCount, json.GetProperty("recordsChecked").GetInt64());
        Assert.Matches("^[0-9a-f]{64}$", json.GetProperty("headHash").GetString());
        Assert.Equal("none", json.GetProperty("failure").GetString());
    }

    [Fact]
    public async Task Verify_of_a_tampered_trail_exits_1_and_names_the_first_broken_sequence()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);
        var tampered = Tampering.ChangeClassification(path, position: 3);

        var run = await CliRun.Of("verify", path);

        Assert.Equal(ExitCodes.Tampered, run.ExitCode);
        Assert.Contains("Result: TAMPERED", run.Output);
        Assert.Contains($"First broken sequence: {tampered}", run.Output);
        Assert.Matches("Failure: [a-z_]+", run.Output);
        Assert.Matches("Reason: .+", run.Output);
    }

    [Fact]
    public async Task Verify_json_of_a_tampered_trail_reports_the_sequence_failure_kind_and_reason()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);
        var tampered = Tampering.ChangeClassification(path, position: 1);

        var run = await CliRun.Of("verify", path, "--json");

        Assert.Equal(ExitCodes.Tampered, run.ExitCode);
        var json = JsonDocument.Parse(run.Output).RootElement;
        Assert.False(json.GetProperty("valid").GetBoolean());
        Assert.Equal(tampered, json.GetProperty("firstBrokenSequence").GetInt64());
        Assert.NotEqual("none", json.GetProperty("failure").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Verify_opens_read_only_so_the_trail_can_still_be_appended_to_afterwards()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);

        await CliRun.Of("verify", path);
        await using (var trail = AuditTrail.OpenLiteDb(path, new AuditTrailOptions()))
            await trail.AppendAsync(new AuditEntry { Action = AuditAction.AuditLogAccessed, ActorType = ActorType.Admin, ActorId = "auditor" });
        var run = await CliRun.Of("verify", path);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains($"Records checked: {SampleTrail.RecordCount + 1}", run.Output);
    }
}
