using AuditGen.PostgreSql.Tests.Support;
using AuditGen.TrailConformance;
using Npgsql;

namespace AuditGen.PostgreSql.Tests;

/// <summary>After <c>db init</c>, the database itself keeps the records append-only, whatever the application does.</summary>
[RequiresPostgres]
public sealed class AppendOnlyTests(InitializedDatabase database) : IClassFixture<InitializedDatabase>
{
    private readonly string _logId = Appends.NewLogId("append-only");

    [StoreFact]
    public async Task The_application_role_appends_queries_and_verifies_through_the_trail()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 5);

        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.AppConnectionString, _logId);
        var stored = await Appends.StoredAsync(trail);
        var result = await trail.VerifyAsync();

        Assert.Equal(written, stored);
        Assert.True(result.IsValid, result.Reason);
    }

    [StoreFact]
    public async Task The_application_role_cannot_update_a_record()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 3);

        var refused = await Appends.RefusedAsync(database.AppConnectionString,
            "UPDATE auditgen.records SET classification = 'public' WHERE log_id = $1", _logId);

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [StoreFact]
    public async Task The_application_role_cannot_delete_a_record()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 3);

        var refused = await Appends.RefusedAsync(database.AppConnectionString, "DELETE FROM auditgen.records WHERE log_id = $1", _logId);

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [StoreFact]
    public async Task The_application_role_cannot_truncate_the_records()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 3);

        var refused = await Appends.RefusedAsync(database.AppConnectionString, "TRUNCATE auditgen.records");

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [StoreFact]
    public async Task The_application_role_cannot_update_delete_or_truncate_the_merkle_tree()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 3);

        var update = await Appends.RefusedAsync(database.AppConnectionString, "UPDATE auditgen.tree_nodes SET hashes = sha256(hashes) WHERE log_id = $1", _logId);
        var delete = await Appends.RefusedAsync(database.AppConnectionString, "DELETE FROM auditgen.tree_nodes WHERE log_id = $1", _logId);
        var truncate = await Appends.RefusedAsync(database.AppConnectionString, "TRUNCATE auditgen.tree_nodes");

        Assert.All([update, delete, truncate], refused => Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState));
    }

    [StoreFact]
    public async Task The_tree_refuses_an_update_even_from_its_owner()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 3);

        var refused = await Appends.RefusedAsync(database.ConnectionString, "UPDATE auditgen.tree_nodes SET hashes = sha256(hashes) WHERE log_id = $1", _logId);

        Assert.Contains("append-only", refused.MessageText);
    }

    [StoreFact]
    public async Task The_application_role_cannot_call_the_retention_delete()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 3);

        var refused = await Appends.RefusedAsync(database.AppConnectionString, "SELECT auditgen.prune_archived_records($1, 'seg-x', ARRAY[0::bigint])", _logId);

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [StoreFact]
    public async Task Even_a_superuser_is_refused_an_update_while_the_triggers_are_on()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 3);

        var refused = await Appends.RefusedAsync(database.ConnectionString,
            "UPDATE auditgen.records SET tool_name = 'nothing_to_see' WHERE log_id = $1 AND sequence = 1", _logId);

        Assert.Contains("append-only", refused.MessageText);
    }

    [StoreFact]
    public async Task Even_a_superuser_is_refused_a_delete_while_the_triggers_are_on()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 3);

        var refused = await Appends.RefusedAsync(database.ConnectionString, "DELETE FROM auditgen.records WHERE log_id = $1", _logId);

        Assert.Contains("append-only", refused.MessageText);
    }

    [StoreFact]
    public async Task Even_a_superuser_is_refused_a_truncate_while_the_triggers_are_on()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 3);

        var refused = await Appends.RefusedAsync(database.ConnectionString, "TRUNCATE auditgen.records");

        Assert.Contains("TRUNCATE refused", refused.MessageText);
    }

    [StoreFact]
    public async Task A_superusers_edit_with_the_triggers_disabled_is_caught_by_verification_at_that_record()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 12);
        await database.ExecuteAsync(
            "ALTER TABLE auditgen.records DISABLE TRIGGER USER; " +
            $"UPDATE auditgen.records SET tool_name = 'nothing_to_see' WHERE log_id = '{_logId}' AND sequence = 5; " +
            "ALTER TABLE auditgen.records ENABLE TRIGGER USER;");

        var result = await Appends.VerifyAsync(database.AppConnectionString, _logId);

        Assert.Equal(VerificationFailure.HashMismatch, result.Failure);
        Assert.Equal(5, result.FirstBrokenSequence);
    }

    [StoreFact]
    public async Task A_writer_refuses_to_extend_a_chain_whose_last_record_was_edited()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 4);
        await database.ExecuteBypassingTriggersAsync("UPDATE auditgen.records SET user_id = 'someone.else' WHERE log_id = $1 AND sequence = 3", _logId);

        var error = await Assert.ThrowsAsync<AuditStoreCorruptException>(() => PostgreSqlAuditTrail.OpenAsync(database.AppConnectionString, _logId));

        Assert.Contains("sequence 3", error.Message);
    }

    [StoreFact]
    public async Task A_batch_the_database_refuses_fails_its_callers_and_the_next_append_continues_the_chain()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.AppConnectionString, _logId);
        var first = await trail.AppendAsync(ConformanceEntries.ToolCall(0));
        await database.ExecuteAsync($"REVOKE INSERT ON auditgen.records FROM \"{database.Roles.App}\"");
        try
        {
            var error = await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.AppendAsync(ConformanceEntries.ToolCall(1)));
            Assert.Contains("permission denied", error.Message);
        }
        finally
        {
            await database.ExecuteAsync($"GRANT INSERT ON auditgen.records TO \"{database.Roles.App}\"");
        }

        var next = await trail.AppendAsync(ConformanceEntries.ToolCall(2));

        Assert.Equal(1, next.Sequence);
        Assert.Equal(first.Hash, next.PreviousHash);
        Assert.True((await trail.VerifyAsync()).IsValid);
    }
}
