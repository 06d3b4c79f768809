using System.Text.Json;

namespace AuditGen.Cli.Tests;

public sealed class HoldCommandTests : IDisposable
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
    public async Task Hold_add_places_a_hold_that_hold_list_shows_and_hold_release_ends()
    {
        var path = await TrailAsync();

        var add = await CliRun.Of("hold", "add", path, "--conversation", "conv-a", "--reason", "Matter 2025-114", "--by", "counsel.ana", "--json");
        Assert.Equal(ExitCodes.Success, add.ExitCode);
        var hold = JsonDocument.Parse(add.Output).RootElement;
        var id = hold.GetProperty("holdId").GetString()!;
        Assert.Equal("conversation", hold.GetProperty("scope").GetProperty("kind").GetString());
        Assert.Equal("Matter 2025-114", hold.GetProperty("reason").GetString());

        var list = await CliRun.Of("hold", "list", path);
        Assert.Equal(ExitCodes.Success, list.ExitCode);
        Assert.Contains(id, list.Output);
        Assert.Contains("conversation conv-a", list.Output);
        Assert.Contains("counsel.ana", list.Output);
        OutputAssert.NoAnsiEscapes(list.Output);

        var release = await CliRun.Of("hold", "release", path, id, "--reason", "Matter closed", "--by", "counsel.ana");
        Assert.Equal(ExitCodes.Success, release.ExitCode);
        Assert.Contains($"Released legal hold {id}", release.Output);

        Assert.Contains("No active legal holds.", (await CliRun.Of("hold", "list", path)).Output);
        var all = await CliRun.Of("hold", "list", path, "--all", "--json");
        Assert.False(JsonDocument.Parse(all.Output).RootElement.GetProperty("active").GetBoolean());
        Assert.Equal(ExitCodes.Success, (await CliRun.Of("verify", path)).ExitCode);
    }

    [Fact]
    public async Task Hold_add_over_a_time_range_records_both_ends()
    {
        var path = await TrailAsync();

        var add = await CliRun.Of("hold", "add", path, "--from", "2019-06-01", "--to", "2020-06-01", "--reason", "Regulator inquiry", "--by", "cco", "--json");

        Assert.Equal(ExitCodes.Success, add.ExitCode);
        var scope = JsonDocument.Parse(add.Output).RootElement.GetProperty("scope");
        Assert.Equal("time_range", scope.GetProperty("kind").GetString());
        Assert.Equal("2019-06-01T00:00:00.000000Z", scope.GetProperty("from").GetString());
        Assert.Equal("2020-06-01T00:00:00.000000Z", scope.GetProperty("to").GetString());
    }

    [Fact]
    public async Task Hold_add_with_a_backwards_time_range_is_a_usage_error_and_writes_nothing()
    {
        var path = await TrailAsync();

        var run = await CliRun.Of("hold", "add", path, "--from", "2021-01-01", "--to", "2020-01-01", "--reason", "x", "--by", "cco");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--from (2021-01-01T00:00:00.0000000Z) must be before --to (2020-01-01T00:00:00.0000000Z)", run.Error);
        Assert.Empty((await CliRun.Of("hold", "list", path, "--all", "--json")).Output);
    }

    [Theory]
    [InlineData("--reason")]
    [InlineData("--by")]
    public async Task Hold_add_without_a_reason_or_a_placer_is_a_usage_error(string missing)
    {
        var path = await TrailAsync();
        var args = new List<string> { "hold", "add", path, "--user", "dr.grey", "--reason", "Matter 1", "--by", "cco" };
        args.RemoveRange(args.IndexOf(missing), 2);

        var run = await CliRun.Of([.. args]);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(missing, run.Error);
    }

    [Fact]
    public async Task Hold_add_with_an_empty_reason_is_a_usage_error()
    {
        var path = await TrailAsync();

        var run = await CliRun.Of("hold", "add", path, "--user", "dr.grey", "--reason", " ", "--by", "cco");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--reason must not be empty", run.Error);
    }

    [Fact]
    public async Task Hold_add_needs_exactly_one_scope()
    {
        var path = await TrailAsync();

        var none = await CliRun.Of("hold", "add", path, "--reason", "x", "--by", "cco");
        var two = await CliRun.Of("hold", "add", path, "--user", "u", "--subject", "s", "--reason", "x", "--by", "cco");

        Assert.Equal(ExitCodes.UsageError, none.ExitCode);
        Assert.Equal(ExitCodes.UsageError, two.ExitCode);
        Assert.Contains("Give exactly one scope", two.Error);
    }

    [Fact]
    public async Task Releasing_an_unknown_hold_is_a_clear_error()
    {
        var path = await TrailAsync();

        var run = await CliRun.Of("hold", "release", path, "0190a5d2-0000-7000-8000-000000000001", "--reason", "closed", "--by", "cco");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("No legal hold has the id 0190a5d2-0000-7000-8000-000000000001", run.Error);
        OutputAssert.NoStackTrace(run.Error);
    }

    [Fact]
    public async Task Releasing_with_an_id_that_is_not_a_hold_id_is_a_usage_error()
    {
        var path = await TrailAsync();

        var run = await CliRun.Of("hold", "release", path, "hold-1", "--reason", "closed", "--by", "cco");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'hold-1' is not a hold id", run.Error);
    }

    [Fact]
    public async Task Hold_list_on_a_missing_trail_reports_it_unavailable()
    {
        var run = await CliRun.Of("hold", "list", _folder.File("missing.db"));

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("trail not found", run.Error);
    }
}
