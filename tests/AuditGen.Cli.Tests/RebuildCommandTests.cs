namespace AuditGen.Cli.Tests;

public sealed class RebuildCommandTests
{
    [Fact]
    public async Task Rebuild_of_a_trail_with_a_garbage_query_store_exits_0_and_reports_the_records_and_where_the_store_went()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);
        var garbage = Garbage();
        await File.WriteAllBytesAsync(path, garbage);

        var run = await CliRun.Of("rebuild", path);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Contains($"Records indexed: {SampleTrail.RecordCount}", run.Output);
        var moved = Assert.Single(Directory.GetFiles(folder.Path, "audit.db.damaged-*"));
        Assert.Contains($"Damaged store moved to: {moved}", run.Output);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(moved));
        OutputAssert.NoAnsiEscapes(run.AllText);
    }

    [Fact]
    public async Task Verify_after_rebuild_exits_0_with_every_record_checked()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);
        await File.WriteAllBytesAsync(path, Garbage());
        Assert.Equal(ExitCodes.TrailUnavailable, (await CliRun.Of("verify", path)).ExitCode);

        Assert.Equal(ExitCodes.Success, (await CliRun.Of("rebuild", path)).ExitCode);
        var verify = await CliRun.Of("verify", path);

        Assert.Equal(ExitCodes.Success, verify.ExitCode);
        Assert.Contains($"Records checked: {SampleTrail.RecordCount}", verify.Output);
        Assert.Contains("Result: valid", verify.Output);
    }

    [Fact]
    public async Task Rebuild_of_a_missing_trail_exits_3_with_one_line_and_creates_nothing()
    {
        using var folder = new TempFolder();
        var path = folder.File("missing.db");

        var run = await CliRun.Of("rebuild", path);

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Equal($"auditgen: trail not found: {path}", run.Error.TrimEnd());
        OutputAssert.NoStackTrace(run.AllText);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task Rebuild_of_a_trail_held_by_a_writer_exits_3_saying_it_is_locked()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        await SampleTrail.CreateAsync(path);
        await using var writer = AuditTrail.OpenLiteDb(path);

        var run = await CliRun.Of("rebuild", path);

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("is locked", run.Error);
        OutputAssert.SingleLine(run.Error);
        OutputAssert.NoStackTrace(run.AllText);
    }

    [Fact]
    public async Task Rebuild_without_a_trail_argument_is_a_usage_error()
    {
        var run = await CliRun.Of("rebuild");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
    }

    private static byte[] Garbage()
    {
        var garbage = new byte[2 * 8192];
        new Random(42).NextBytes(garbage);
        return garbage;
    }
}
