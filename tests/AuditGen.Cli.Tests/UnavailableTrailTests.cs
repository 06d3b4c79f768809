namespace AuditGen.Cli.Tests;

public sealed class UnavailableTrailTests
{
    [Fact]
    public async Task Verify_of_a_missing_file_exits_3_with_one_line_and_no_stack_trace()
    {
        using var folder = new TempFolder();
        var path = folder.File("missing.db");

        var run = await CliRun.Of("verify", path);

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Equal($"auditgen: trail not found: {path}", run.Error.TrimEnd());
        OutputAssert.NoStackTrace(run.AllText);
    }

    [Fact]
    public async Task Verify_of_a_missing_file_does_not_create_a_trail()
    {
        using var folder = new TempFolder();

        await CliRun.Of("verify", folder.File("missing.db"));

        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task Query_of_a_missing_file_exits_3()
    {
        using var folder = new TempFolder();

        var run = await CliRun.Of("query", folder.File("missing.db"));

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("trail not found", run.Error);
    }

    [Fact]
    public async Task Verify_of_a_directory_exits_3()
    {
        using var folder = new TempFolder();

        var run = await CliRun.Of("verify", folder.Path);

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("is a directory", run.Error);
    }

    [Fact]
    public async Task Verify_of_a_file_of_random_bytes_exits_3_with_one_line_and_no_stack_trace()
    {
        using var folder = new TempFolder();
        var path = folder.File("x.db");
        var garbage = new byte[20_000];
        new Random(20250131).NextBytes(garbage);
        garbage[0] = 0x42; // not LiteDB's encrypted-file marker either
        await File.WriteAllBytesAsync(path, garbage);

        var run = await CliRun.Of("verify", path);

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("not an AuditGen trail", run.Error);
        OutputAssert.SingleLine(run.Error);
        OutputAssert.NoStackTrace(run.AllText);
    }

    [Fact]
    public async Task Verify_of_an_empty_file_exits_3()
    {
        using var folder = new TempFolder();
        var path = folder.File("empty.db");
        await File.WriteAllBytesAsync(path, []);

        var run = await CliRun.Of("verify", path);

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
    }

    [Fact]
    public async Task Query_of_a_garbage_file_exits_3()
    {
        using var folder = new TempFolder();
        var path = folder.File("x.db");
        await File.WriteAllTextAsync(path, "this is not an audit trail\n");

        var run = await CliRun.Of("query", path, "--json");

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task Verify_json_of_a_missing_file_prints_a_parseable_error_object()
    {
        using var folder = new TempFolder();

        var run = await CliRun.Of("verify", folder.File("missing.db"), "--json");

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        using var document = System.Text.Json.JsonDocument.Parse(run.Output);
        Assert.False(document.RootElement.GetProperty("valid").GetBoolean());
        Assert.Contains("trail not found", document.RootElement.GetProperty("error").GetString());
    }
}
