using AuditGen.Erasure;
using AuditGen.PostgreSql;
using AuditGen.PostgreSql.Tests.Support;
using AuditGen.TrailConformance;

namespace AuditGen.Cli.Tests;

/// <summary><c>auditgen erase</c> against a PostgreSQL log, whose vault is the folder given by <c>--vault</c>.</summary>
[RequiresPostgres]
public sealed class PostgreSqlEraseTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _log = "cli-erase-" + Guid.NewGuid().ToString("N")[..8];
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Vault => _folder.File("vault");

    private string KeyFile => _folder.File("commitment.key");

    private string Uri
    {
        get
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
            return $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        }
    }

    private AuditTrailOptions Options(bool readOnly = false) =>
        ConformanceSealing.WithErasure(new AuditTrailOptions { ReadOnly = readOnly }, Vault);

    private async Task CreateAsync()
    {
        File.WriteAllText(KeyFile, Convert.ToBase64String(ConformanceSealing.CommitmentKey));
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _log, Options());
        await ConformanceSealing.RecordNoteAsync(trail, "MRN-ALICE", "Alice's private note", "Alice's result");
        await ConformanceSealing.RecordNoteAsync(trail, "MRN-BOB", "Bob's private note", "Bob's result");
    }

    private async Task<List<SealedValueReading>> ReadNotesAsync()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _log, Options(readOnly: true));
        var values = new List<SealedValueReading>();
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.ToolInvoked }))
            values.AddRange((await trail.ReadSealedAsync(record)).Values);
        return values;
    }

    [StoreFact]
    public async Task Erase_of_a_postgres_log_with_its_vault_destroys_the_subjects_content_records_it_and_exits_0()
    {
        await CreateAsync();

        var run = await CliRun.Of("erase", Uri, "--log", _log, "--vault", Vault, "--subject", "MRN-ALICE",
            "--reason", "Art. 17 request 4711", "--by", "dpo", "--commitment-key", KeyFile);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Erased subject", run.Output, StringComparison.Ordinal);
        Assert.Contains("subject_erased at sequence 4", run.Output, StringComparison.Ordinal);
        var values = await ReadNotesAsync();
        Assert.True(values[0].IsErased);
        Assert.Equal("dpo", values[0].Erasure!.RequestedBy);
        Assert.Equal("\"Bob's private note\"", values[1].Json);
        Assert.Equal(ExitCodes.Success, (await CliRun.Of("verify", Uri, "--log", _log)).ExitCode);
    }

    [StoreFact]
    public async Task Erase_of_a_postgres_log_without_vault_exits_2_asking_for_it()
    {
        await CreateAsync();

        var run = await CliRun.Of("erase", "--postgres", database.ConnectionString, "--log", _log, "--subject", "MRN-ALICE",
            "--reason", "request", "--by", "dpo", "--commitment-key", KeyFile);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--vault", run.Error, StringComparison.Ordinal);
        Assert.Equal("\"Alice's private note\"", (await ReadNotesAsync())[0].Json);
    }

    [StoreFact]
    public async Task Erase_while_the_application_holds_the_vault_exits_3_naming_the_vault()
    {
        await CreateAsync();
        await using var application = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _log, Options());

        var run = await CliRun.Of("erase", Uri, "--log", _log, "--vault", Vault, "--subject", "MRN-ALICE",
            "--reason", "request", "--by", "dpo", "--commitment-key", KeyFile);

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Contains(Vault, run.Error, StringComparison.Ordinal);
        Assert.Contains("one writer", run.Error, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task Erase_of_a_postgres_log_that_does_not_exist_exits_3_and_creates_nothing()
    {
        File.WriteAllText(KeyFile, Convert.ToBase64String(ConformanceSealing.CommitmentKey));
        await using (await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, "other-" + _log)) { }

        var run = await CliRun.Of("erase", Uri, "--log", _log, "--vault", Vault, "--subject", "MRN-ALICE",
            "--reason", "request", "--by", "dpo", "--commitment-key", KeyFile);

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Equal(0, await database.ScalarAsync<long>("SELECT count(*) FROM auditgen.logs WHERE log_id = $1", _log));
        Assert.False(Directory.Exists(Vault));
    }
}
