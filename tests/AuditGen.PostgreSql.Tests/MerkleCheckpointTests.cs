using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Integrity.Merkle;
using AuditGen.PostgreSql.Tests.Support;
using AuditGen.TrailConformance;
using Microsoft.Extensions.Time.Testing;

namespace AuditGen.PostgreSql.Tests;

/// <summary>The Merkle tree and signed checkpoints of a PostgreSQL log: one tree per log, proofs, tamper detection against checkpoints.</summary>
[RequiresPostgres]
public sealed class MerkleCheckpointTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private static readonly NoteSigner Signer = NoteSigner.Parse(NoteKeys.Generate("audit.example/pg").SignerKey);
    private readonly string _logId = Appends.NewLogId("tree");
    private readonly string _exports = Directory.CreateTempSubdirectory("auditgen-pg-checkpoints-").FullName;

    public void Dispose() => Directory.Delete(_exports, recursive: true);

    private AuditTrailOptions Signing(int everyRecords = 0) => new()
    {
        Checkpoints = new CheckpointOptions { Signer = Signer, EveryRecords = everyRecords, Interval = null, ExportDirectory = _exports },
    };

    private static async Task<List<AuditRecord>> AppendAsync(IAuditTrail trail, int count, int from = 0)
    {
        var records = new List<AuditRecord>();
        for (var i = from; i < from + count; i++)
            records.Add(await trail.AppendAsync(ConformanceEntries.ToolCall(i)));
        return records;
    }

    private static byte[] RootOf(IEnumerable<AuditRecord> records)
    {
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());
        var leaf = new byte[32];
        foreach (var record in records)
        {
            ChainHasher.ComputeRecordHash(record, leaf);
            tree.Append(leaf);
        }
        return tree.Root();
    }

    private SignedCheckpoint Exported() => SignedCheckpoint.Parse(CheckpointExport.ReadLatest(_exports)!, Signer.Verifier);

    // What a superuser can do with the triggers off: rewrite record `sequence` and re-hash the chain after it.
    private async Task RewriteAndRehashFromAsync(PostgreSqlAuditTrail trail, long sequence)
    {
        var stored = await Appends.StoredAsync(trail);
        var previous = sequence == 0 ? HashHex.Zero : stored[(int)sequence - 1].Hash;
        for (var i = (int)sequence; i < stored.Count; i++)
        {
            var record = stored[i] with { PreviousHash = previous };
            if (i == sequence)
                record = record with { Details = """{"forged":true}""" };
            var hash = ChainHasher.ComputeRecordHash(record);
            await database.ExecuteBypassingTriggersAsync(
                "UPDATE auditgen.records SET details = $1, previous_hash = $2, hash = $3 WHERE log_id = $4 AND sequence = $5",
                (object?)record.Details ?? DBNull.Value, record.PreviousHash, hash, _logId, (long)i);
            previous = hash;
        }
    }

    // What a superuser can do to the tree with the triggers off: replace the node at `position`, in whichever run holds it.
    private Task EditTreeNodeAsync(long position) => database.ExecuteBypassingTriggersAsync(
        "UPDATE auditgen.tree_nodes SET hashes = overlay(hashes PLACING sha256(substring(hashes FROM (($2 - position) * 32 + 1)::integer FOR 32)) " +
        "FROM (($2 - position) * 32 + 1)::integer FOR 32) WHERE log_id = $1 AND position <= $2 AND $2 < position + length(hashes) / 32",
        _logId, position);

    // The tree cut back to its first `nodeCount` nodes, as a tree that lags its records looks.
    private async Task CutTreeAsync(long nodeCount)
    {
        await database.ExecuteBypassingTriggersAsync("DELETE FROM auditgen.tree_nodes WHERE log_id = $1 AND position >= $2", _logId, nodeCount);
        await database.ExecuteBypassingTriggersAsync(
            "UPDATE auditgen.tree_nodes SET hashes = substring(hashes FROM 1 FOR (($2 - position) * 32)::integer) " +
            "WHERE log_id = $1 AND position < $2 AND $2 < position + length(hashes) / 32", _logId, nodeCount);
    }

    // The runs of the log's tree: (first position, node count), in order.
    private async Task<List<(long First, long Count)>> RunsAsync()
    {
        var runs = await database.ScalarAsync<long[,]>(
            "SELECT array_agg(ARRAY[position, length(hashes) / 32] ORDER BY position) FROM auditgen.tree_nodes WHERE log_id = $1", _logId);
        return [.. Enumerable.Range(0, runs.GetLength(0)).Select(i => (runs[i, 0], runs[i, 1]))];
    }

    [StoreFact]
    public async Task Every_commit_extends_the_logs_tree_and_its_proofs_verify_against_its_root()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        var records = await AppendAsync(trail, 37);

        Assert.Equal(37, await trail.GetTreeSizeAsync());
        var root = await trail.GetRootAsync(37);
        Assert.Equal(RootOf(records), root);
        foreach (var sequence in new long[] { 0, 1, 17, 36 })
        {
            var proof = await trail.GetInclusionProofAsync(sequence);
            Assert.True(proof.Verify());
            Assert.Equal(root, proof.RootHash);
        }
        var consistency = await trail.GetConsistencyProofAsync(13, 37);
        Assert.True(consistency.Verify());
        Assert.Equal(RootOf(records.Take(13)), consistency.Root1);
    }

    [StoreFact]
    public async Task A_group_commit_stores_the_tree_nodes_its_leaves_complete_as_one_run()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await AppendAsync(trail, 9);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() => AppendAsync(trail, 5, 100 * (w + 1)))));

        var runs = await RunsAsync();

        var commits = trail.Sink!.OneTripCommits + trail.Sink.LockedCommits;
        Assert.Equal(commits, runs.Count);
        // One append at a time: leaf i completes itself and one parent per trailing one bit of i.
        Assert.Equal(Enumerable.Range(0, 9).Select(i => 1L + System.Numerics.BitOperations.TrailingZeroCount(i + 1)), runs.Take(9).Select(r => r.Count));
        for (var i = 1; i < runs.Count; i++)
            Assert.Equal(runs[i - 1].First + runs[i - 1].Count, runs[i].First);
        Assert.Equal(MerkleTree.NodeCountFor(49), runs[^1].First + runs[^1].Count);
        Assert.Equal(RootOf(await Appends.StoredAsync(trail)), await trail.GetRootAsync(49));
    }

    [StoreFact]
    public async Task A_tree_stored_one_row_per_node_as_before_schema_version_5_still_proves_verifies_and_grows()
    {
        List<AuditRecord> records;
        await using (var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId))
            records = await AppendAsync(trail, 7);
        await database.ExecuteBypassingTriggersAsync(
            "WITH runs AS (DELETE FROM auditgen.tree_nodes WHERE log_id = $1 RETURNING position, hashes) " +
            "INSERT INTO auditgen.tree_nodes (log_id, position, hashes) SELECT $1, r.position + i, substring(r.hashes FROM i * 32 + 1 FOR 32) " +
            "FROM runs r CROSS JOIN LATERAL generate_series(0, length(r.hashes) / 32 - 1) AS i", _logId);
        var exploded = await RunsAsync();

        await using var writer = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        var rootBefore = await writer.GetRootAsync(7);
        var proof = await writer.GetInclusionProofAsync(3);
        var verifiedBefore = await writer.VerifyAsync();
        records.AddRange(await AppendAsync(writer, 5, 7));

        Assert.Equal(MerkleTree.NodeCountFor(7), exploded.Count);
        Assert.All(exploded, run => Assert.Equal(1, run.Count));
        Assert.Equal(RootOf(records.Take(7)), rootBefore);
        Assert.True(proof.Verify());
        Assert.True(verifiedBefore.IsValid, verifiedBefore.Reason);
        Assert.Equal(0, writer.Sink!.LockedCommits);
        Assert.Equal(RootOf(records), await writer.GetRootAsync(12));
        Assert.Equal(MerkleTree.NodeCountFor(7) + 5, (await RunsAsync()).Count);
        var result = await writer.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
    }

    [StoreFact]
    public async Task Two_writers_that_keep_overtaking_each_other_still_sign_checkpoints_that_verify()
    {
        await using var first = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Signing(everyRecords: 5));
        await using var second = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Signing(everyRecords: 5));
        // Each append finds the tail the other writer just moved: the database links most of them.
        for (var i = 0; i < 24; i++)
            await (i % 2 == 0 ? first : second).AppendAsync(ConformanceEntries.ToolCall(i));
        await first.CheckpointAsync();

        var stored = await Appends.StoredAsync(first);
        var checkpoints = stored.Count(r => r.Action == AuditAction.CheckpointSigned);
        var result = await second.VerifyAsync(Exported());

        Assert.True(first.Sink!.DatabaseLinkedCommits > 0 && second.Sink!.DatabaseLinkedCommits > 0,
            $"database-linked commits: {first.Sink.DatabaseLinkedCommits}, {second.Sink!.DatabaseLinkedCommits}");
        Assert.Equal(24, stored.Count - checkpoints);
        Assert.True(checkpoints >= 4, $"{checkpoints} checkpoints for 24 records every 5");
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(stored.Count - 1, result.Checkpoint!.Checkpoint.TreeSize);
    }

    [StoreFact]
    public async Task Writers_in_two_trails_on_one_log_build_one_tree()
    {
        await using var first = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await using var second = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);

        await Task.WhenAll(
            Task.Run(() => Task.WhenAll(Enumerable.Range(0, 4).Select(w => AppendAsync(first, 40, w * 100)))),
            Task.Run(() => Task.WhenAll(Enumerable.Range(0, 4).Select(w => AppendAsync(second, 40, 1000 + w * 100)))));

        var stored = await Appends.StoredAsync(first);
        Assert.Equal(320, stored.Count);
        Assert.Equal(320, await second.GetTreeSizeAsync());
        Assert.Equal(RootOf(stored), await second.GetRootAsync(320));
        var result = await first.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
    }

    [StoreFact]
    public async Task Checkpoints_are_signed_every_n_records_on_demand_and_on_close_as_checkpoint_signed_records()
    {
        SignedCheckpoint onDemand;
        await using (var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Signing(everyRecords: 10)))
        {
            await AppendAsync(trail, 25);
            onDemand = await trail.CheckpointAsync();
            await AppendAsync(trail, 3, from: 100);
        }

        await using var reader = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, new AuditTrailOptions { ReadOnly = true });
        var checkpoints = (await Appends.StoredAsync(reader)).Where(r => r.Action == AuditAction.CheckpointSigned).ToList();
        // Every 10 records (10, 21 with the first checkpoint's record), on demand, and on close.
        Assert.Equal([10L, 21L, onDemand.Checkpoint.TreeSize, 31L], checkpoints.Select(r => CheckpointRecords.Read(r, Signer.Verifier).Checkpoint.TreeSize));
        Assert.Equal(27, onDemand.Checkpoint.TreeSize);
        var latest = await reader.GetLatestCheckpointAsync();
        Assert.Equal(31, latest!.Checkpoint.TreeSize);
        Assert.Equal(await reader.GetRootAsync(31), latest.Checkpoint.RootHash);
        Assert.Equal(31, Exported().Checkpoint.TreeSize);
        var result = await reader.VerifyAsync(Exported());
        Assert.True(result.IsValid, result.Reason);
        Assert.NotNull(result.Checkpoint);
    }

    [StoreFact]
    public async Task Two_writers_with_one_key_do_not_each_sign_every_n_records()
    {
        await using (var first = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Signing(everyRecords: 20)))
        await using (var second = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Signing(everyRecords: 20)))
        {
            for (var i = 0; i < 50; i++)
            {
                await first.AppendAsync(ConformanceEntries.ToolCall(i));
                await second.AppendAsync(ConformanceEntries.ToolCall(1000 + i));
            }
        }

        await using var reader = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, new AuditTrailOptions { ReadOnly = true });
        var stored = await Appends.StoredAsync(reader);
        var sizes = stored.Where(r => r.Action == AuditAction.CheckpointSigned).Select(r => CheckpointRecords.Read(r, Signer.Verifier).Checkpoint.TreeSize).ToList();
        // 100 appends: about one checkpoint per 20 records while writing, plus at most one per writer on close.
        Assert.InRange(sizes.Count(s => s < 100), 4, 5);
        var result = await reader.VerifyAsync(Exported());
        Assert.True(result.IsValid, result.Reason);
    }

    [StoreFact]
    public async Task A_superusers_rewrite_of_a_record_with_the_chain_rehashed_is_caught_against_an_exported_checkpoint()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Signing());
        await AppendAsync(trail, 12);
        var exported = await trail.CheckpointAsync();

        await RewriteAndRehashFromAsync(trail, 5);

        var result = await trail.VerifyAsync(Exported());
        Assert.False(result.IsValid);
        Assert.Equal(VerificationFailure.Swapped, result.Failure);
        Assert.Equal(exported.Checkpoint.TreeSize, result.Checkpoint!.Checkpoint.TreeSize);
        // Without the exported checkpoint, the log's own checkpoint record gives it away too.
        var own = await trail.VerifyAsync();
        Assert.False(own.IsValid);
        Assert.Equal(VerificationFailure.Swapped, own.Failure);
    }

    [StoreFact]
    public async Task A_truncated_tail_is_caught_against_an_exported_checkpoint()
    {
        await using (var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Signing()))
        {
            await AppendAsync(trail, 12);
            await trail.CheckpointAsync();
        }
        await database.ExecuteBypassingTriggersAsync("DELETE FROM auditgen.records WHERE log_id = $1 AND sequence >= 9", _logId);

        await using var reader = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, new AuditTrailOptions { ReadOnly = true });
        var chainOnly = await reader.VerifyAsync();
        var result = await reader.VerifyAsync(Exported());

        Assert.True(chainOnly.IsValid, "a cut tail leaves a valid chain: only the checkpoint shows it");
        Assert.False(result.IsValid);
        Assert.Equal(VerificationFailure.Truncated, result.Failure);
        Assert.Equal(9, result.FirstBrokenSequence);
    }

    [StoreFact]
    public async Task A_writer_refuses_to_extend_a_log_shorter_than_its_exported_checkpoint()
    {
        await using (var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Signing()))
        {
            await AppendAsync(trail, 6);
            await trail.CheckpointAsync();
        }
        await database.ExecuteBypassingTriggersAsync("DELETE FROM auditgen.records WHERE log_id = $1 AND sequence >= 3", _logId);
        await CutTreeAsync(MerkleTree.NodeCountFor(3));

        var refused = await Assert.ThrowsAsync<AuditStoreCorruptException>(async () =>
            await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Signing()));
        Assert.Contains("truncated or rolled back", refused.Message);
    }

    [StoreFact]
    public async Task An_edited_tree_node_is_reported_by_verification()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await AppendAsync(trail, 9);
        await EditTreeNodeAsync(MerkleTree.PostOrderPosition(1, 2));

        var result = await trail.VerifyAsync();

        Assert.False(result.IsValid);
        Assert.Equal(VerificationFailure.JournalMismatch, result.Failure);
        Assert.Contains("tree_nodes", result.Reason);
    }

    [StoreFact]
    public async Task A_run_of_tree_nodes_removed_from_the_middle_is_reported_by_verification()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await AppendAsync(trail, 9);
        var runs = await RunsAsync();
        await database.ExecuteBypassingTriggersAsync("DELETE FROM auditgen.tree_nodes WHERE log_id = $1 AND position = $2", _logId, runs[4].First);

        var result = await trail.VerifyAsync();

        Assert.False(result.IsValid);
        Assert.Equal(VerificationFailure.JournalMismatch, result.Failure);
        Assert.Equal(4, result.FirstBrokenSequence);
    }

    // 11 records whose tree keeps only its first `leavesLeft` leaves' nodes; the next commit must complete it from the
    // records, under the lock, and then extend it.
    private async Task AssertTheNextCommitCompletesATreeLeftWithAsync(int leavesLeft)
    {
        await using (var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId))
            await AppendAsync(trail, 11);
        await CutTreeAsync(MerkleTree.NodeCountFor(leavesLeft));

        await using var writer = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        Assert.Equal(leavesLeft, await writer.GetTreeSizeAsync());
        await writer.AppendAsync(ConformanceEntries.ToolCall(11));

        Assert.Equal(12, await writer.GetTreeSizeAsync());
        Assert.Equal(RootOf(await Appends.StoredAsync(writer)), await writer.GetRootAsync(12));
        Assert.Equal(1, writer.Sink!.LockedCommits);
        var result = await writer.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
    }

    // As a log written before schema version 2 looks: records, no nodes.
    [StoreFact]
    public Task A_log_without_tree_nodes_gets_its_tree_from_its_records_at_the_next_commit() => AssertTheNextCommitCompletesATreeLeftWithAsync(0);

    // Seven leaves' nodes left, cut in the middle of a run: the edge of a tree of 7 (three subtrees) is read out of the runs.
    [StoreFact]
    public Task A_tree_that_lags_its_records_is_completed_from_them_at_the_next_commit() => AssertTheNextCommitCompletesATreeLeftWithAsync(7);

    [StoreFact]
    public async Task An_interval_checkpoint_is_signed_by_an_idle_writer_when_its_timer_fires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = new AuditTrailOptions
        {
            TimeProvider = time,
            Checkpoints = new CheckpointOptions { Signer = Signer, EveryRecords = 0, Interval = TimeSpan.FromMinutes(1), ExportDirectory = _exports },
        };
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, options);
        await AppendAsync(trail, 4);
        Assert.Null(await trail.GetLatestCheckpointAsync());

        time.Advance(TimeSpan.FromMinutes(1));
        await trail.FlushAsync();
        await trail.FlushAsync();

        var latest = await trail.GetLatestCheckpointAsync();
        Assert.Equal(4, latest!.Checkpoint.TreeSize);
    }
}
