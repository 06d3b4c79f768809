using System.Text.Json;
using AuditGen.Integrity.Checkpoints;
using AuditGen.PostgreSql;
using AuditGen.PostgreSql.Tests.Support;
using AuditGen.TrailConformance;

namespace AuditGen.Cli.Tests;

/// <summary>
/// <c>auditgen verify | query | proof | checkpoint | consistency</c> against a PostgreSQL log: the same exit codes and
/// output as for a LiteDB file. Skipped without <c>AUDITGEN_TEST_POSTGRES</c>; CI requires them.
/// </summary>
[RequiresPostgres]
public sealed class PostgreSqlTrailTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private readonly string _log = "cli-" + Guid.NewGuid().ToString("N")[..8];

    // The database as a postgres:// URI (the cluster trusts loopback: no password).
    private string Uri
    {
        get
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
            return $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        }
    }

    private async Task CreateLogAsync(AuditTrailOptions? options = null)
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _log, options);
        await SampleTrail.AppendAsync(trail);
    }

    private async Task<CheckpointedTrail> KeyAsync(TempFolder folder)
    {
        var keyPath = folder.File("log.key");
        var run = await CliRun.Of("keys", "generate", "--name", "audit.example/pg-cli", "--out", keyPath);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        return await CheckpointedTrail.ForKeyAsync(folder, keyPath);
    }

    [StoreFact]
    public async Task Verify_of_an_intact_postgres_log_by_uri_exits_0()
    {
        await CreateLogAsync();

        var run = await CliRun.Of("verify", Uri, "--log", _log);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Result: valid", run.Output);
        Assert.Contains($"Records checked: {SampleTrail.RecordCount}", run.Output);
        Assert.Contains($"(log '{_log}')", run.Output);
    }

    [StoreFact]
    public async Task Verify_of_an_edited_postgres_log_with_postgres_option_exits_1_naming_the_record()
    {
        await CreateLogAsync();
        await database.ExecuteBypassingTriggersAsync("UPDATE auditgen.records SET user_id = 'mallory' WHERE log_id = $1 AND sequence = 3", _log);

        var run = await CliRun.Of("verify", "--postgres", database.ConnectionString, "--log", _log, "--json");

        Assert.Equal(ExitCodes.Tampered, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(3, json.RootElement.GetProperty("firstBrokenSequence").GetInt64());
        Assert.Equal("hash_mismatch", json.RootElement.GetProperty("failure").GetString());
    }

    [StoreFact]
    public async Task Verify_against_an_exported_checkpoint_catches_a_truncated_postgres_log()
    {
        using var folder = new TempFolder();
        var key = await KeyAsync(folder);
        await CreateLogAsync(new AuditTrailOptions { Checkpoints = new CheckpointOptions { SigningKeyPath = key.KeyPath, ExportDirectory = key.ExportDirectory } });
        await database.ExecuteBypassingTriggersAsync("DELETE FROM auditgen.records WHERE log_id = $1 AND sequence >= 4", _log);

        var run = await CliRun.Of("verify", Uri, "--log", _log, "--checkpoint", key.LatestCheckpoint, "--key", key.PublicKeyPath);

        Assert.Equal(ExitCodes.Tampered, run.ExitCode);
        Assert.Contains("Failure: truncated", run.Output);
        Assert.Contains("First broken sequence: 4", run.Output);
    }

    [StoreFact]
    public async Task Query_with_a_reader_lists_a_postgres_logs_records_filtered_like_a_file_and_records_the_access()
    {
        await CreateLogAsync();

        var run = await CliRun.Of("query", Uri, "--log", _log, "--user", "dr.grey", "--reader", "auditor.bob", "--role", "auditor", "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, line => Assert.Equal("dr.grey", JsonDocument.Parse(line).RootElement.GetProperty("userId").GetString()));
        Assert.Equal(1, await database.ScalarAsync<long>(
            "SELECT count(*) FROM auditgen.records WHERE log_id = $1 AND action = 'audit_log_accessed' AND actor_id = 'auditor.bob'", _log));
    }

    [StoreFact]
    public async Task Query_without_a_reader_refuses_a_postgres_logs_confidential_records_like_a_file()
    {
        await CreateLogAsync();

        var run = await CliRun.Of("query", Uri, "--log", _log, "--user", "dr.grey");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--reader", run.Error);
    }

    [StoreFact]
    public async Task Checkpoint_then_proof_and_consistency_verify_for_a_postgres_log()
    {
        using var folder = new TempFolder();
        var key = await KeyAsync(folder);
        await CreateLogAsync();

        var first = await CliRun.Of("checkpoint", Uri, "--log", _log, "--signing-key", key.KeyPath, "--export", key.ExportDirectory);
        await CreateLogAsync();
        var second = await CliRun.Of("checkpoint", Uri, "--log", _log, "--signing-key", key.KeyPath, "--export", key.ExportDirectory);
        var proof = await CliRun.Of("proof", Uri, "--log", _log, "--seq", "2", "--json");
        var consistency = await CliRun.Of("consistency", Uri, "--log", _log, "--from", key.CheckpointOf(6), "--to", key.CheckpointOf(13), "--key", key.PublicKeyPath);

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal(6, SignedCheckpoint.Parse(first.Output, NoteVerifier.Parse(key.VerifierKey)).Checkpoint.TreeSize);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Equal(13, SignedCheckpoint.Parse(second.Output, NoteVerifier.Parse(key.VerifierKey)).Checkpoint.TreeSize);
        Assert.Equal(ExitCodes.Success, proof.ExitCode);
        using var json = JsonDocument.Parse(proof.Output);
        Assert.True(json.RootElement.GetProperty("verified").GetBoolean());
        Assert.Equal(13, json.RootElement.GetProperty("treeSize").GetInt64());
        Assert.Equal(ExitCodes.Success, consistency.ExitCode);
    }

    [StoreFact]
    public async Task An_unknown_postgres_log_exits_3_with_a_clear_error_and_creates_nothing()
    {
        await CreateLogAsync();
        using var folder = new TempFolder();
        var key = await KeyAsync(folder);

        var verify = await CliRun.Of("verify", Uri, "--log", "no-such-log");
        var checkpoint = await CliRun.Of("checkpoint", Uri, "--log", "no-such-log", "--signing-key", key.KeyPath);

        Assert.Equal(ExitCodes.TrailUnavailable, verify.ExitCode);
        Assert.Contains("PostgreSQL log 'no-such-log' does not exist", verify.Error);
        Assert.Equal(ExitCodes.TrailUnavailable, checkpoint.ExitCode);
        Assert.Equal(0, await database.ScalarAsync<long>("SELECT count(*) FROM auditgen.logs WHERE log_id = 'no-such-log'"));
    }

    [StoreFact]
    public async Task A_postgres_trail_without_log_is_a_usage_error()
    {
        var run = await CliRun.Of("verify", Uri);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("needs --log", run.AllText);
    }
}

/// <summary>Connection failures and bad connection strings need no server: they are errors before one is reached.</summary>
public sealed class PostgreSqlTargetErrorTests
{
    [Fact]
    public async Task A_bad_postgres_connection_string_exits_3_with_a_clear_error()
    {
        var run = await CliRun.Of("verify", "--postgres", "Hots=127.0.0.1", "--log", "tenant-a");

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("Not a PostgreSQL connection string", run.Error);
    }

    [Fact]
    public async Task An_unreachable_postgres_server_exits_3_naming_it()
    {
        var run = await CliRun.Of("query", "postgres://auditor@127.0.0.1:1/audit", "--log", "tenant-a");

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains("cannot connect to 127.0.0.1:1", run.Error);
    }

    [Fact]
    public async Task Log_with_a_trail_file_is_a_usage_error()
    {
        var run = await CliRun.Of("verify", "audit.db", "--log", "tenant-a");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--log names a PostgreSQL log", run.AllText);
    }
}
