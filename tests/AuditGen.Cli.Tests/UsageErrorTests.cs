namespace AuditGen.Cli.Tests;

public sealed class UsageErrorTests
{
    [Fact]
    public async Task Running_without_a_command_exits_2()
    {
        var run = await CliRun.Of();

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("auditgen --help", run.Error);
    }

    [Fact]
    public async Task An_unknown_command_exits_2()
    {
        var run = await CliRun.Of("erase", "audit.db");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
    }

    [Fact]
    public async Task Verify_without_a_trail_path_exits_2()
    {
        var run = await CliRun.Of("verify");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
    }

    [Fact]
    public async Task Verify_with_an_unknown_option_exits_2_and_names_it()
    {
        var run = await CliRun.Of("verify", "audit.db", "--fast");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--fast", run.Error);
    }

    [Fact]
    public async Task Query_with_an_unparseable_time_exits_2_and_names_the_option_and_value()
    {
        var run = await CliRun.Of("query", "audit.db", "--from", "yesterday");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--from: 'yesterday' is not a date/time", run.Error);
    }

    [Fact]
    public async Task Query_with_from_after_to_exits_2_before_touching_the_trail()
    {
        using var folder = new TempFolder();

        var run = await CliRun.Of("query", folder.File("audit.db"), "--from", "2025-02-01", "--to", "2025-01-01T12:00:00Z");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--from (2025-02-01T00:00:00.000000Z) is after --to (2025-01-01T12:00:00.000000Z)", run.Error);
    }

    [Fact]
    public async Task Query_with_an_unknown_action_exits_2_and_lists_the_wire_names()
    {
        var run = await CliRun.Of("query", "audit.db", "--action", "ToolFailed");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("unknown action 'ToolFailed'", run.Error);
        Assert.Contains("tool_failed", run.Error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("ten")]
    public async Task Query_with_a_limit_that_is_not_a_positive_number_exits_2(string limit)
    {
        var run = await CliRun.Of("query", "audit.db", "--limit", limit);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--limit", run.Error);
    }

    [Fact]
    public async Task Help_exits_0_and_describes_both_commands()
    {
        var run = await CliRun.Of("--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("verify", run.Output);
        Assert.Contains("query", run.Output);
    }

    [Fact]
    public async Task Usage_errors_carry_no_ANSI_escapes_when_captured()
    {
        var run = await CliRun.Of("query", "audit.db", "--from", "nope");

        OutputAssert.NoAnsiEscapes(run.AllText);
    }
}
