using System.Text.Json;
using AuditGen.PostgreSql;
using AuditGen.PostgreSql.Tests.Support;
using AuditGen.TrailConformance;

namespace AuditGen.Cli.Tests;

/// <summary>
/// <c>auditgen retention apply | archive | verify --archive</c> against a PostgreSQL log: the same exit codes and output as
/// for a LiteDB file. The log is the <see cref="RetentionTrail"/> written in 2020, so by now every record has expired.
/// </summary>
[RequiresPostgres]
public sealed class PostgreSqlRetentionCliTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _log = "cli-retention-" + Guid.NewGuid().ToString("N")[..8];
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Uri
    {
        get
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
            return $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        }
    }

    private async Task CreateLogAsync()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _log, RetentionTrail.Options);
        await RetentionTrail.AppendAsync(trail);
    }

    private async Task<List<long>> LiveSequencesAsync()
    {
        var run = await CliRun.Of("query", Uri, "--log", _log, "--json");
        return [.. run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("sequence").GetInt64())];
    }

    [StoreFact]
    public async Task Retention_apply_on_a_postgres_log_archives_the_expired_records_and_verify_with_the_archive_exits_0()
    {
        await CreateLogAsync();
        var archive = _folder.File("archive");

        var run = await CliRun.Of("retention", "apply", Uri, "--log", _log, "--archive", archive, "--json");
        var verify = await CliRun.Of("verify", "--postgres", database.ConnectionString, "--log", _log, "--archive", archive);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(5, JsonDocument.Parse(run.Output).RootElement.GetProperty("archived").GetInt64());
        Assert.Single(Directory.GetFiles(archive, "*.jsonl.gz"));
        Assert.DoesNotContain(await LiveSequencesAsync(), s => s < 5);
        Assert.Equal(ExitCodes.Success, verify.ExitCode);
        Assert.Contains("Result: valid", verify.Output);
        Assert.Contains("(5 archived records checked)", verify.Output);
    }

    [StoreFact]
    public async Task Verify_with_the_archive_of_a_postgres_log_whose_segment_was_deleted_exits_1_naming_it()
    {
        await CreateLogAsync();
        var archive = _folder.File("archive");
        await CliRun.Of("retention", "apply", Uri, "--log", _log, "--archive", archive);
        var segment = Assert.Single(Directory.GetFiles(archive, "*.jsonl.gz"));
        File.Delete(segment);

        var verify = await CliRun.Of("verify", Uri, "--log", _log, "--archive", archive, "--json");

        Assert.Equal(ExitCodes.Tampered, verify.ExitCode);
        var json = JsonDocument.Parse(verify.Output).RootElement;
        Assert.Equal("archive_missing", json.GetProperty("failure").GetString());
        Assert.Contains(Path.GetFileName(segment).Replace(".jsonl.gz", "", StringComparison.Ordinal), json.GetProperty("reason").GetString());
    }

    [StoreFact]
    public async Task Archive_of_explicit_sequences_of_a_postgres_log_removes_them_and_the_log_still_verifies()
    {
        await CreateLogAsync();
        var archive = _folder.File("archive");

        var run = await CliRun.Of("archive", Uri, "--log", _log, "--to", archive, "--sequences", "1,3", "--reason", "test", "--json");
        var verify = await CliRun.Of("verify", Uri, "--log", _log, "--archive", archive);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var outcome = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal(2, outcome.GetProperty("count").GetInt64());
        Assert.Contains($"(log '{_log}')", outcome.GetProperty("trail").GetString());
        Assert.Equal([0L, 2, 4, 5, 6], await LiveSequencesAsync());
        Assert.Equal(ExitCodes.Success, verify.ExitCode);
    }

    [StoreFact]
    public async Task Retention_plan_of_a_postgres_log_lists_what_apply_would_archive_and_writes_nothing()
    {
        await CreateLogAsync();

        var run = await CliRun.Of("retention", "plan", Uri, "--log", _log, "--at", RetentionTrail.TwoYearsLater, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal([0L, 1, 3], lines.Where(l => l.TryGetProperty("sequence", out _)).Select(l => l.GetProperty("sequence").GetInt64()));
        Assert.Equal([0L, 1, 2, 3, 4], await LiveSequencesAsync());
    }

    [StoreFact]
    public async Task Archive_of_the_newest_record_of_a_postgres_log_exits_2_and_removes_nothing()
    {
        await CreateLogAsync();

        var run = await CliRun.Of("archive", Uri, "--log", _log, "--to", _folder.File("archive"), "--sequences", "4");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("newest", run.Error);
        Assert.Equal([0L, 1, 2, 3, 4], await LiveSequencesAsync());
    }
}
