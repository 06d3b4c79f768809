using AuditGen.PostgreSql.Schema;
using AuditGen.PostgreSql.Tests.Support;
using AuditGen.TrailConformance;
using Npgsql;

namespace AuditGen.PostgreSql.Tests;

/// <summary>A database created by an earlier AuditGen (schema version 2) is migrated to the current version on the next <c>db init</c> or open.</summary>
[RequiresPostgres]
public sealed class SchemaUpgradeTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [StoreFact]
    public async Task A_version_2_schema_gets_the_prune_function_instead_of_the_prefix_delete_and_archives_work()
    {
        await ApplyUpToAsync(database, 2);
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
        Assert.Equal(Enumerable.Range(1, SchemaMigrations.CurrentVersion), versions);
        Assert.Contains("WHERE (action = 'checkpoint_signed'::text)", checkpointIndex);
        Assert.False(hasPrefixDelete);
        Assert.False(appMayPrune);
        Assert.True(retentionMayPrune);
        Assert.Equal(2, outcome.Manifest.Count);
        Assert.True((await trail.VerifyWithArchivesAsync(folder.Target)).IsValid);
    }

    internal static async Task ApplyUpToAsync(PostgresDatabase database, int version)
    {
        await database.ExecuteAsync(
            "CREATE SCHEMA auditgen; CREATE TABLE auditgen.schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        foreach (var migration in SchemaMigrations.All.Where(m => m.Version <= version))
        {
            await database.ExecuteAsync(migration.Sql);
            await database.ExecuteAsync("INSERT INTO auditgen.schema_version (version, description) VALUES ($1, $2)", migration.Version, migration.Description);
        }
    }

    private sealed class TempArchive : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("auditgen-pg-upgrade-").FullName;

        public AuditGen.Archive.FolderArchiveTarget Target => new(Path.Combine(_path, "archive"));

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}

/// <summary>A version 4 tree (one row per node) becomes runs of one: nothing is rewritten, every node still reads.</summary>
[RequiresPostgres]
public sealed class TreeRunsUpgradeTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [StoreFact]
    public async Task A_version_4_tree_keeps_its_nodes_and_takes_runs_after_the_upgrade()
    {
        await SchemaUpgradeTests.ApplyUpToAsync(database, 4);
        var node = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        await database.ExecuteAsync("INSERT INTO auditgen.tree_nodes (log_id, position, hash) VALUES ('old', 0, $1), ('old', 1, sha256($1))", node);
        var oldRowsRefuseARun = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            database.ExecuteAsync("INSERT INTO auditgen.tree_nodes (log_id, position, hash) VALUES ('old', 2, $1 || $1)", node));

        await database.InitializeWithRolesAsync();
        var versions = await database.ScalarAsync<int[]>("SELECT array_agg(version ORDER BY version) FROM auditgen.schema_version");
        var first = await database.ScalarAsync<byte[]>("SELECT auditgen.tree_node('old', 0)");
        var second = await database.ScalarAsync<byte[]>("SELECT auditgen.tree_node('old', 1)");
        var beyond = await database.ScalarAsync<bool>("SELECT auditgen.tree_node('old', 2) IS NULL");
        await database.ExecuteAsync("INSERT INTO auditgen.tree_nodes (log_id, position, hashes) VALUES ('old', 2, $1 || sha256($1))", node);
        var inRun = await database.ScalarAsync<byte[]>("SELECT auditgen.tree_node('old', 3)");
        var torn = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            database.ExecuteAsync("INSERT INTO auditgen.tree_nodes (log_id, position, hashes) VALUES ('old', 4, substring($1 FROM 1 FOR 31))", node));

        Assert.Equal(PostgresErrorCodes.CheckViolation, oldRowsRefuseARun.SqlState);
        Assert.Equal(Enumerable.Range(1, SchemaMigrations.CurrentVersion), versions);
        Assert.Equal(node, first);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(node), second);
        Assert.True(beyond);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(node), inRun);
        Assert.Equal(PostgresErrorCodes.CheckViolation, torn.SqlState);
    }
}
