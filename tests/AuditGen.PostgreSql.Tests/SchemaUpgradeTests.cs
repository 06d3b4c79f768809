using AuditGen.PostgreSql.Schema;
using AuditGen.PostgreSql.Tests.Support;
using AuditGen.TrailConformance;

namespace AuditGen.PostgreSql.Tests;

/// <summary>A database created by an earlier AuditGen (schema version 2) is migrated to the current version on the next <c>db init</c> or open.</summary>
[RequiresPostgres]
public sealed class SchemaUpgradeTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [StoreFact]
    public async Task A_version_2_schema_gets_the_prune_function_instead_of_the_prefix_delete_and_archives_work()
    {
        await database.ExecuteAsync(
            "CREATE SCHEMA auditgen; CREATE TABLE auditgen.schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        foreach (var migration in SchemaMigrations.All.Where(m => m.Version <= 2))
        {
            await database.ExecuteAsync(migration.Sql);
            await database.ExecuteAsync("INSERT INTO auditgen.schema_version (version, description) VALUES ($1, $2)", migration.Version, migration.Description);
        }
        var hadPrefixDelete = await database.ScalarAsync<bool>("SELECT to_regprocedure('auditgen.delete_archived_records(text, bigint)') IS NOT NULL");

        var (_, app, retention) = await database.InitializeWithRolesAsync();
        var versions = await database.ScalarAsync<int[]>("SELECT array_agg(version ORDER BY version) FROM auditgen.schema_version");
        var hasPrefixDelete = await database.ScalarAsync<bool>("SELECT to_regprocedure('auditgen.delete_archived_records(text, bigint)') IS NOT NULL");
        var appMayPrune = await database.ScalarAsync<bool>($"SELECT has_function_privilege('{app}', 'auditgen.prune_archived_records(text, text, bigint[])', 'EXECUTE')");
        var retentionMayPrune = await database.ScalarAsync<bool>($"SELECT has_function_privilege('{retention}', 'auditgen.prune_archived_records(text, text, bigint[])', 'EXECUTE')");
        var checkpointIndex = await database.ScalarAsync<string>("SELECT indexdef FROM pg_indexes WHERE schemaname = 'auditgen' AND indexname = 'records_checkpoints'");
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionStringAs(retention), "upgraded");
        for (var i = 0; i < 4; i++)
            await trail.AppendAsync(ConformanceEntries.ToolCall(i));
        using var folder = new TempArchive();
        var outcome = await trail.ArchiveAsync(new AuditGen.Archive.ArchiveSelection([1, 2], """{"reason":"upgrade"}"""), folder.Target);

        Assert.True(hadPrefixDelete);
        Assert.Equal([1, 2, 3, 4, 5], versions);
        Assert.Contains("WHERE (action = 'checkpoint_signed'::text)", checkpointIndex);
        Assert.False(hasPrefixDelete);
        Assert.False(appMayPrune);
        Assert.True(retentionMayPrune);
        Assert.Equal(2, outcome.Manifest.Count);
        Assert.True((await trail.VerifyWithArchivesAsync(folder.Target)).IsValid);
    }

    private sealed class TempArchive : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("auditgen-pg-upgrade-").FullName;

        public AuditGen.Archive.FolderArchiveTarget Target => new(Path.Combine(_path, "archive"));

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}
