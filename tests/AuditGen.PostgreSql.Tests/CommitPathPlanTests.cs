using AuditGen.PostgreSql.Storage;
using AuditGen.PostgreSql.Tests.Support;
using Npgsql;

namespace AuditGen.PostgreSql.Tests;

/// <summary>
/// What a group commit costs must not grow with the log. Npgsql prepares the writer's statements, and PostgreSQL
/// caches a generic plan for them early, on a young table no ANALYZE has seen, where every index of
/// <c>auditgen.records</c> looks equally cheap: a lookup the planner can answer through a wrong index with a filter
/// then reads every record of the log on every commit. So every statement of the commit path, planned generically on
/// such a table, must read records only through the primary key (the tail) or the checkpoint index, and the tree's
/// runs only through theirs.
/// </summary>
[RequiresPostgres]
public sealed class CommitPathPlanTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly string[] IndexesOfTheCommitPath = ["records_pkey", "records_checkpoints", "tree_nodes_pkey"];

    [StoreFact]
    public Task The_batch_insert_checks_the_tail_through_the_primary_key() => AssertReadsOnlyThroughCommitPathIndexesAsync(GroupCommitStatements.InsertBatchSql);

    [StoreFact]
    public Task The_unlock_after_commit_looks_no_record_up() => AssertReadsOnlyThroughCommitPathIndexesAsync(GroupCommitStatements.UnlockIfCommittedSql, expectScans: false);

    [StoreFact]
    public Task The_flush_after_commit_looks_no_record_up() => AssertReadsOnlyThroughCommitPathIndexesAsync(GroupCommitStatements.FlushIfCommittedSql, expectScans: false);

    [StoreFact]
    public Task The_tail_read_after_a_miss_finds_the_latest_checkpoint_through_its_index() => AssertReadsOnlyThroughCommitPathIndexesAsync(GroupCommitStatements.TailAfterMissSql);

    [StoreFact]
    public Task The_tail_read_at_open_finds_the_latest_checkpoint_through_its_index() => AssertReadsOnlyThroughCommitPathIndexesAsync(TreeNodes.TailSql);

    [StoreFact]
    public Task A_checkpoint_another_writer_signed_is_read_by_its_primary_key() => AssertReadsOnlyThroughCommitPathIndexesAsync(RecordRows.SelectBySequenceSql);

    private async Task AssertReadsOnlyThroughCommitPathIndexesAsync(string sql, bool expectScans = true)
    {
        var logId = Appends.NewLogId("plans");
        await using (var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, logId))
        {
            // A young table: never analyzed while the test runs.
            await database.ExecuteAsync("ALTER TABLE auditgen.records SET (autovacuum_enabled = off)");
            await database.ExecuteAsync("ALTER TABLE auditgen.tree_nodes SET (autovacuum_enabled = off)");
            for (var i = 0; i < 300; i++)
                await trail.AppendAsync(ConformanceEntries.ToolCall(i, conversation: $"conv-{i % 7}"));
        }

        var scans = await GenericPlans.ScansAsync(database.ConnectionString, sql);

        var plan = string.Join("; ", scans);
        Assert.True(expectScans ? scans.Count > 0 : scans.Count == 0, $"expected {(expectScans ? "reads" : "no read")} of the log, planned: {plan}");
        Assert.All(scans, scan => Assert.True(
            scan.NodeType is "Index Scan" or "Index Only Scan" && IndexesOfTheCommitPath.Contains(scan.Index) && scan.Filter is null,
            $"a read the log's size makes slower: {scan}"));
    }
}
