using AuditGen.Integrity;
using AuditGen.Integrity.Merkle;
using AuditGen.PostgreSql.Tests.Support;
using AuditGen.Retention;
using AuditGen.TrailConformance;
using Npgsql;

namespace AuditGen.PostgreSql.Tests;

/// <summary>
/// <c>auditgen.prune_archived_records</c>, the one path by which records leave: it replaces exactly the records a
/// recorded archive segment describes by stubs, after checking them against the segment row, the chain and the tree.
/// </summary>
[RequiresPostgres]
public sealed class RetentionDeleteTests(InitializedDatabase database) : IClassFixture<InitializedDatabase>
{
    private readonly string _logId = Appends.NewLogId("retention");

    private static readonly string Sha256 = new('e', 64);

    private const string PruneSql = "SELECT auditgen.prune_archived_records($1, $2, $3)";

    private static byte[] RootOf(IEnumerable<AuditRecord> records)
    {
        var tree = new MerkleTree(new DiscardingMerkleNodeStore());
        var leaf = new byte[ChainHasher.HashSize];
        foreach (var record in records)
        {
            ChainHasher.ComputeRecordHash(record, leaf);
            tree.Append(leaf);
        }
        return tree.Root();
    }

    // What ArchiveAsync does before it prunes, here by hand: the log's archive_created record (unless `recorded` is
    // false), appended by the application, and the segment row, inserted by the retention role.
    private async Task AddSegmentAsync(string segmentId, IReadOnlyList<AuditRecord> records, byte[]? root = null, bool recorded = true)
    {
        root ??= RootOf(records);
        if (recorded)
        {
            await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.AppConnectionString, _logId);
            await trail.AppendAsync(AuditGen.Archive.ArchiveRecords.ArchiveCreated(new AuditGen.Archive.ArchiveManifest
            {
                SegmentId = segmentId,
                LogId = _logId,
                FirstSequence = records[0].Sequence,
                LastSequence = records[^1].Sequence,
                Count = records.Count,
                FirstPreviousHash = records[0].PreviousHash,
                LastHash = records[^1].Hash,
                MerkleRoot = HashHex.Encode(root),
                SegmentSha256 = Sha256,
                SegmentBytes = 1,
                CreatedAt = DateTimeOffset.UnixEpoch,
            }, "file:///archive"));
        }
        await using var connection = new NpgsqlConnection(database.RetentionConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO auditgen.archive_segments (log_id, segment_id, first_sequence, last_sequence, count, merkle_root, segment_sha256, location) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, 'file:///archive')", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = segmentId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = records[0].Sequence });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = records[^1].Sequence });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = records.Count });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = root });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Sha256 });
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> PruneAsync(string connectionString, string segmentId, params long[] sequences)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(PruneSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = segmentId });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = sequences });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<PostgresException> RefusedPruneAsync(string segmentId, params long[] sequences) =>
        await Assert.ThrowsAsync<PostgresException>(() => PruneAsync(database.RetentionConnectionString, segmentId, sequences));

    private Task<long> LiveCountAsync() => database.ScalarAsync<long>("SELECT count(*) FROM auditgen.records WHERE log_id = $1", _logId);

    [StoreFact]
    public async Task Pruning_a_recorded_segment_leaves_stubs_through_which_the_log_still_verifies_and_grows()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 8);
        await AddSegmentAsync("seg-a", [written[1], written[3], written[4]]);

        var pruned = await PruneAsync(database.RetentionConnectionString, "seg-a", 1, 3, 4);
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.AppConnectionString, _logId);
        var next = await trail.AppendAsync(ConformanceEntries.ToolCall(8));
        var result = await trail.VerifyAsync();
        var stubHash = await database.ScalarAsync<string>("SELECT hash FROM auditgen.archived_records WHERE log_id = $1 AND sequence = 3", _logId);

        Assert.Equal(3, pruned);
        Assert.Equal(7, await LiveCountAsync());
        Assert.Equal(written[3].Hash, stubHash);
        Assert.Equal(9, next.Sequence);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(10, result.RecordsChecked);
    }

    [StoreFact]
    public async Task Pruning_an_already_pruned_segment_again_removes_nothing_and_returns_zero()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 5);
        await AddSegmentAsync("seg-a", [written[0], written[2]]);
        await PruneAsync(database.RetentionConnectionString, "seg-a", 0, 2);

        var again = await PruneAsync(database.RetentionConnectionString, "seg-a", 0, 2);

        Assert.Equal(0, again);
        Assert.Equal(4, await LiveCountAsync());
    }

    [StoreFact]
    public async Task It_refuses_records_no_segment_row_describes()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 5);

        var refused = await RefusedPruneAsync("seg-unrecorded", 1, 2);

        Assert.Contains($"log {_logId}, segment seg-unrecorded: no archive_segments row", refused.MessageText);
        Assert.Equal(5, await LiveCountAsync());
    }

    [StoreFact]
    public async Task It_refuses_sequences_other_than_the_segment_rows()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 6);
        await AddSegmentAsync("seg-a", [written[1], written[2]]);

        var refused = await RefusedPruneAsync("seg-a", 1, 3);

        Assert.Contains("are not the segment's 2 records 1 to 2", refused.MessageText);
        Assert.Equal(7, await LiveCountAsync());
    }

    [StoreFact]
    public async Task An_array_with_other_bounds_is_read_from_its_first_element_and_still_checked_against_the_row()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 6);
        await AddSegmentAsync("seg-a", [written[1], written[2]]);

        var refused = await Appends.RefusedAsync(database.RetentionConnectionString,
            "SELECT auditgen.prune_archived_records($1, 'seg-a', '[-1:0]={3,4}'::bigint[])", _logId);

        Assert.Contains("the 2 sequences 3 to 4 are not the segment's 2 records 1 to 2", refused.MessageText);
    }

    [StoreFact]
    public async Task It_refuses_sequences_out_of_order()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 6);
        await AddSegmentAsync("seg-a", [written[1], written[2], written[3]]);

        var refused = await RefusedPruneAsync("seg-a", 1, 3, 2);

        Assert.Contains("sequence 2 follows 3", refused.MessageText);
    }

    [StoreFact]
    public async Task It_refuses_a_segment_whose_merkle_root_does_not_match_the_records()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 6);
        await AddSegmentAsync("seg-a", [written[1], written[2]], root: RootOf([written[1], written[3]]));

        var refused = await RefusedPruneAsync("seg-a", 1, 2);

        Assert.Contains($"log {_logId}, segment seg-a: the Merkle root of the records' leaves is", refused.MessageText);
        Assert.Equal(7, await LiveCountAsync());
    }

    [StoreFact]
    public async Task It_refuses_a_segment_the_log_recorded_no_archive_created_record_for()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 6);
        await AddSegmentAsync("seg-a", [written[1], written[2]], recorded: false);

        var refused = await RefusedPruneAsync("seg-a", 1, 2);

        Assert.Contains($"log {_logId}, segment seg-a: no archive_created record of the log describes this segment", refused.MessageText);
        Assert.Equal(6, await LiveCountAsync());
    }

    [StoreFact]
    public async Task It_never_prunes_the_chains_newest_record()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 4);
        await AddSegmentAsync("seg-a", [written[2], written[3]], recorded: false);

        var refused = await RefusedPruneAsync("seg-a", 2, 3);

        Assert.Contains("sequence 3 is the chain's newest record", refused.MessageText);
    }

    [StoreFact]
    public async Task It_refuses_a_lifecycle_record()
    {
        await using (var trail = await PostgreSqlAuditTrail.OpenAsync(database.AppConnectionString, _logId))
        {
            await trail.AppendAsync(ConformanceEntries.ToolCall(0));
            await LegalHolds.PlaceAsync(trail, LegalHoldScope.Conversation("conv-1"), "Matter 1", "counsel");
            await trail.AppendAsync(ConformanceEntries.ToolCall(2));
        }
        var rows = await database.ScalarAsync<long>("SELECT count(*) FROM auditgen.records WHERE log_id = $1 AND sequence = 1 AND action = 'legal_hold_placed'", _logId);
        await using (var reader = await PostgreSqlAuditTrail.OpenAsync(database.AppConnectionString, _logId, new AuditTrailOptions { ReadOnly = true }))
        {
            var all = new List<AuditRecord>();
            await foreach (var record in reader.QueryAsync(new AuditQuery()))
                all.Add(record);
            await AddSegmentAsync("seg-a", [all[0], all[1]], recorded: false);
        }

        var refused = await RefusedPruneAsync("seg-a", 0, 1);

        Assert.Equal(1, rows);
        Assert.Contains("sequence 1 is a legal_hold_placed record", refused.MessageText);
    }

    [StoreFact]
    public async Task It_refuses_to_archive_a_record_a_second_time()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 6);
        await AddSegmentAsync("seg-a", [written[1], written[2]]);
        await PruneAsync(database.RetentionConnectionString, "seg-a", 1, 2);
        await AddSegmentAsync("seg-b", [written[2], written[3]]);

        var refused = await RefusedPruneAsync("seg-b", 2, 3);

        Assert.Contains("sequence 2 was already archived (segment seg-a)", refused.MessageText);
    }

    [StoreFact]
    public async Task The_application_role_cannot_prune_record_a_segment_or_delete()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 4);
        await AddSegmentAsync("seg-a", [written[1]]);

        var prune = await Assert.ThrowsAsync<PostgresException>(() => PruneAsync(database.AppConnectionString, "seg-a", 1));
        var segment = await Appends.RefusedAsync(database.AppConnectionString,
            "INSERT INTO auditgen.archive_segments (log_id, segment_id, first_sequence, last_sequence, count, merkle_root, segment_sha256, location) " +
            "SELECT log_id, 'seg-b', first_sequence, last_sequence, count, merkle_root, segment_sha256, location FROM auditgen.archive_segments WHERE log_id = $1", _logId);
        var stub = await Appends.RefusedAsync(database.RetentionConnectionString,
            "INSERT INTO auditgen.archived_records (log_id, sequence, hash, leaf, segment_id) VALUES ($1, 2, 'x', '\\x00', 'seg-a')", _logId);

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, prune.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, segment.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, stub.SqlState);
        Assert.Equal(5, await LiveCountAsync());
    }

    [StoreFact]
    public async Task Even_a_superuser_naming_a_segment_cannot_delete_a_record_that_has_no_stub()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 3);

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using (var name = new NpgsqlCommand("SELECT set_config('auditgen.prune_segment', 'seg-a', false)", connection))
            await name.ExecuteNonQueryAsync();
        await using var delete = new NpgsqlCommand("DELETE FROM auditgen.records WHERE log_id = $1 AND sequence = 0", connection);
        delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
        var refused = await Assert.ThrowsAsync<PostgresException>(() => delete.ExecuteNonQueryAsync());

        Assert.Contains("has no stub in segment seg-a", refused.MessageText);
    }

    [StoreFact]
    public async Task Stubs_and_segment_rows_are_append_only()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 4);
        await AddSegmentAsync("seg-a", [written[1]]);
        await PruneAsync(database.RetentionConnectionString, "seg-a", 1);

        var stub = await Appends.RefusedAsync(database.ConnectionString, "UPDATE auditgen.archived_records SET hash = 'x' WHERE log_id = $1", _logId);
        var row = await Appends.RefusedAsync(database.ConnectionString, "DELETE FROM auditgen.archive_segments WHERE log_id = $1", _logId);

        Assert.Contains("append-only", stub.MessageText);
        Assert.Contains("append-only", row.MessageText);
    }

    [StoreFact]
    public async Task A_superuser_edit_of_a_stub_is_caught_by_verification()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 6);
        await AddSegmentAsync("seg-a", [written[2], written[3]]);
        await PruneAsync(database.RetentionConnectionString, "seg-a", 2, 3);
        await database.ExecuteBypassingTriggersAsync("UPDATE auditgen.archived_records SET hash = $1 WHERE log_id = $2 AND sequence = 3", new string('0', 64), _logId);

        var result = await Appends.VerifyAsync(database.AppConnectionString, _logId);

        Assert.Equal(VerificationFailure.HashMismatch, result.Failure);
        Assert.Equal(3, result.FirstBrokenSequence);
    }

    [StoreFact]
    public async Task A_superuser_edit_of_a_segment_row_is_caught_by_verification()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 6);
        await AddSegmentAsync("seg-a", [written[2], written[3]]);
        await PruneAsync(database.RetentionConnectionString, "seg-a", 2, 3);
        await database.ExecuteBypassingTriggersAsync("UPDATE auditgen.archive_segments SET merkle_root = sha256(merkle_root) WHERE log_id = $1", _logId);

        var result = await Appends.VerifyAsync(database.AppConnectionString, _logId);

        Assert.Equal(VerificationFailure.ArchiveMismatch, result.Failure);
        Assert.Equal("seg-a", result.ArchiveSegment);
        Assert.Equal(2, result.FirstBrokenSequence);
    }

    [StoreFact]
    public async Task Without_its_stubs_the_pruned_records_are_a_gap()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 6);
        await database.ExecuteBypassingTriggersAsync("DELETE FROM auditgen.records WHERE log_id = $1 AND sequence < 3", _logId);

        var result = await Appends.VerifyAsync(database.AppConnectionString, _logId);

        Assert.Equal(VerificationFailure.Gap, result.Failure);
        Assert.Equal(0, result.FirstBrokenSequence);
    }
}
