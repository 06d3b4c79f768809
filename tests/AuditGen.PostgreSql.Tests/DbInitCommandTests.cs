using AuditGen.Cli;
using AuditGen.PostgreSql.Tests.Support;

namespace AuditGen.PostgreSql.Tests;

/// <summary><c>auditgen db init</c>, for DBAs who create the store by hand.</summary>
[RequiresPostgres]
public sealed class DbInitCommandTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    [StoreFact]
    public async Task Db_init_creates_the_schema_roles_and_log_and_says_what_to_grant()
    {
        var suffix = database.Name[^12..];
        database.RolesToDrop.AddRange([$"o_{suffix}", $"a_{suffix}", $"r_{suffix}"]);

        var (exitCode, output, error) = await RunAsync("db", "init", "--postgres", database.ConnectionString, "--log", "ward-7", "--log", "ward-9",
            "--owner-role", $"o_{suffix}", "--app-role", $"a_{suffix}", "--retention-role", $"r_{suffix}");

        Assert.True(exitCode == ExitCodes.Success, error);
        Assert.Contains($"Schema: auditgen, version {PostgreSqlAuditSchema.CurrentVersion} (created)", output);
        Assert.Contains($"GRANT a_{suffix} TO", output);
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM auditgen.logs WHERE log_id IN ('ward-7', 'ward-9')"));
        Assert.False(await database.ScalarAsync<bool>($"SELECT has_table_privilege('a_{suffix}', 'auditgen.records', 'UPDATE')"));
        Assert.True(await database.ScalarAsync<bool>($"SELECT has_table_privilege('a_{suffix}', 'auditgen.records', 'INSERT')"));
    }
}

/// <summary><c>auditgen db init</c> errors that need no server.</summary>
public sealed class DbInitCommandErrorTests
{
    [Fact]
    public async Task An_invalid_role_name_is_a_usage_error_naming_it()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await CliApp.RunAsync(["db", "init", "--postgres", "Host=127.0.0.1;Port=1", "--app-role", "Robert'); DROP TABLE"], output, error);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("Robert'); DROP TABLE", error.ToString());
    }

    [Fact]
    public async Task An_unreachable_server_exits_3_with_one_line()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await CliApp.RunAsync(["db", "init", "--postgres", "Host=127.0.0.1;Port=1;Timeout=2"], output, error);

        Assert.Equal(ExitCodes.TrailUnavailable, exitCode);
        Assert.StartsWith("auditgen: the database refused", error.ToString());
        Assert.Single(error.ToString().Trim().Split('\n'));
    }

    [Fact]
    public async Task Db_init_without_a_connection_is_a_usage_error()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await CliApp.RunAsync(["db", "init"], output, error);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("--postgres", error.ToString());
    }
}
