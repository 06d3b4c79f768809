using System.Text.Json;
using AuditGen.Archive;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Archive;

public sealed class ArchiveAsyncTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_segment_holds_each_selected_record_in_its_full_canonical_form_in_ascending_order()
    {
        await using var trail = _folder.Open();
        var records = await ArchiveFixtures.AppendAsync(trail, 10);

        var outcome = await trail.ArchiveAsync(ArchiveFixtures.Select(1, 2, 5), ArchiveFixtures.Target(_folder));

        var lines = ArchiveFixtures.ReadSegmentLines(ArchiveFixtures.Target(_folder).SegmentPath(outcome.Manifest.SegmentId));
        Assert.Equal([1L, 2, 5], lines.Select(l => AuditRecordCodec.Deserialize(System.Text.Encoding.UTF8.GetBytes(l)).Sequence));
        Assert.Equal(new[] { records[1], records[2], records[5] }.Select(r => System.Text.Encoding.UTF8.GetString(AuditRecordCodec.Serialize(r))), lines);
    }

    [Fact]
    public async Task The_manifest_describes_range_count_boundary_hashes_merkle_root_and_checksum()
    {
        await using var trail = _folder.Open();
        var records = await ArchiveFixtures.AppendAsync(trail, 10);

        var manifest = (await trail.ArchiveAsync(ArchiveFixtures.Select(2, 3, 6), ArchiveFixtures.Target(_folder))).Manifest;

        var target = ArchiveFixtures.Target(_folder);
        Assert.Equal(2, manifest.FirstSequence);
        Assert.Equal(6, manifest.LastSequence);
        Assert.Equal(3, manifest.Count);
        Assert.Equal(records[2].PreviousHash, manifest.FirstPreviousHash);
        Assert.Equal(records[6].Hash, manifest.LastHash);
        Assert.Equal(records[0].Hash, manifest.LogId);
        var tree = new AuditGen.Integrity.Merkle.MerkleTree(new AuditGen.Integrity.Merkle.InMemoryMerkleNodeStore());
        foreach (var record in new[] { records[2], records[3], records[6] })
            tree.Append(AuditGen.Integrity.MerkleProof.HashLeaf(AuditRecordCodec.GetCanonicalBytes(record)));
        Assert.Equal(HashHex.Encode(tree.Root()), manifest.MerkleRoot);
        var segment = File.ReadAllBytes(target.SegmentPath(manifest.SegmentId));
        Assert.Equal(HashHex.Encode(System.Security.Cryptography.SHA256.HashData(segment)), manifest.SegmentSha256);
        Assert.Equal(segment.Length, manifest.SegmentBytes);
        Assert.Equal(manifest, ArchiveManifest.Parse(File.ReadAllBytes(target.ManifestPath(manifest.SegmentId))));
        Assert.Null(manifest.CheckpointNote);
    }

    [Fact]
    public async Task After_archiving_the_live_trail_still_verifies_alone_as_one_chain()
    {
        await using (var trail = _folder.Open())
        {
            await ArchiveFixtures.AppendAsync(trail, 20);
            await trail.ArchiveAsync(ArchiveFixtures.Select(0, 1, 2, 7, 8, 15), ArchiveFixtures.Target(_folder));
            await ArchiveFixtures.AppendAsync(trail, 5, start: 20);
            var result = await trail.VerifyAsync();
            Assert.True(result.IsValid, result.Reason);
            Assert.Equal(27, result.RecordsChecked);
        }

        await using var reopened = _folder.Open(readOnly: true);
        var again = await reopened.VerifyAsync();
        Assert.True(again.IsValid, again.Reason);
    }

    [Fact]
    public async Task Archived_records_are_not_returned_by_queries_and_their_content_leaves_the_journal()
    {
        await using var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 10);

        await trail.ArchiveAsync(ArchiveFixtures.Select(3, 4), ArchiveFixtures.Target(_folder));

        var left = await TrailFixtures.QueryAllAsync(trail);
        Assert.DoesNotContain(left, r => r.Sequence is 3 or 4);
        Assert.Contains(left, r => r.Sequence == 5);
        Assert.Empty(await TrailFixtures.QueryAllAsync(trail, new AuditQuery { ConversationId = "conv-1", Limit = 1000 }).ContinueWith(t => t.Result.Where(r => r.Sequence is 3 or 4).ToList()));
        Assert.False(ArchiveFixtures.FileContains(_folder.JournalPath, "content-00003"));
        Assert.False(ArchiveFixtures.FileContains(_folder.JournalPath, "content-00004"));
        Assert.True(ArchiveFixtures.FileContains(_folder.JournalPath, "content-00005"));
    }

    [Fact]
    public async Task The_run_records_archive_created_then_retention_applied_embedding_the_callers_details()
    {
        await using var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 10);

        var outcome = await trail.ArchiveAsync(ArchiveFixtures.Select(1, 4), ArchiveFixtures.Target(_folder));

        Assert.Equal(AuditAction.ArchiveCreated, outcome.ArchiveCreated.Action);
        Assert.Equal(AuditAction.RetentionApplied, outcome.RetentionApplied.Action);
        Assert.Equal(outcome.ArchiveCreated.Sequence + 1, outcome.RetentionApplied.Sequence);
        using var created = JsonDocument.Parse(outcome.ArchiveCreated.Details!);
        Assert.Equal(outcome.Manifest.SegmentId, created.RootElement.GetProperty("segment").GetString());
        Assert.Equal(outcome.Manifest.SegmentSha256, created.RootElement.GetProperty("sha256").GetString());
        Assert.Equal(outcome.Manifest.MerkleRoot, created.RootElement.GetProperty("merkleRoot").GetString());
        Assert.Equal(2, created.RootElement.GetProperty("count").GetInt64());
        using var applied = JsonDocument.Parse(outcome.RetentionApplied.Details!);
        Assert.Equal(outcome.Manifest.SegmentId, applied.RootElement.GetProperty("segment").GetString());
        Assert.Equal("expired", applied.RootElement.GetProperty("retention").GetProperty("reason").GetString());
        Assert.False(outcome.Resumed);
    }

    [Fact]
    public async Task Inclusion_proofs_of_archived_records_still_verify_against_the_same_root()
    {
        await using var trail = _folder.Open();
        var records = await ArchiveFixtures.AppendAsync(trail, 10);
        var rootBefore = trail.GetRoot(10);

        await trail.ArchiveAsync(ArchiveFixtures.Select(2, 3), ArchiveFixtures.Target(_folder));

        var proof = await trail.GetInclusionProofAsync(3, treeSize: 10);
        Assert.True(proof.Verify());
        Assert.Equal(rootBefore, proof.RootHash);
        Assert.Equal(AuditGen.Integrity.MerkleProof.HashLeaf(AuditRecordCodec.GetCanonicalBytes(records[3])), proof.LeafHash);
    }

    [Fact]
    public async Task Rerunning_a_completed_selection_reports_resumed_and_writes_nothing()
    {
        await using var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 10);
        var first = await trail.ArchiveAsync(ArchiveFixtures.Select(1, 2), ArchiveFixtures.Target(_folder));
        var size = trail.TreeSize;

        var second = await trail.ArchiveAsync(ArchiveFixtures.Select(1, 2), ArchiveFixtures.Target(_folder));

        Assert.True(second.Resumed);
        Assert.Equal(first.Manifest, second.Manifest);
        Assert.Equal(first.RetentionApplied, second.RetentionApplied);
        Assert.Equal(size, trail.TreeSize);
        Assert.Single(Directory.GetFiles(ArchiveFixtures.ArchivePath(_folder), "*.jsonl.gz"));
    }

    [Fact]
    public async Task The_query_store_rebuilt_from_a_pruned_journal_verifies_and_keeps_the_stubs()
    {
        await using (var trail = _folder.Open())
        {
            await ArchiveFixtures.AppendAsync(trail, 10);
            await trail.ArchiveAsync(ArchiveFixtures.Select(2, 5), ArchiveFixtures.Target(_folder));
        }

        var rebuilt = AuditTrail.RebuildQueryStore(_folder.DbPath, _folder.Options());

        Assert.Equal(12, rebuilt.RecordsIndexed);
        await using var reopened = _folder.Open();
        var result = await reopened.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
        Assert.DoesNotContain(await TrailFixtures.QueryAllAsync(reopened), r => r.Sequence is 2 or 5);
    }

    [Fact]
    public async Task With_checkpoints_the_manifest_carries_a_signed_checkpoint_covering_the_range()
    {
        await using var trail = CheckpointFixtures.Open(_folder);
        await ArchiveFixtures.AppendAsync(trail, 10);

        var manifest = (await trail.ArchiveAsync(ArchiveFixtures.Select(4, 6), ArchiveFixtures.Target(_folder))).Manifest;

        Assert.NotNull(manifest.CheckpointNote);
        var checkpoint = AuditGen.Integrity.Checkpoints.SignedCheckpoint.Parse(manifest.CheckpointNote!, CheckpointFixtures.Verifier);
        Assert.True(checkpoint.Checkpoint.TreeSize > 6);
        Assert.Equal(checkpoint.Checkpoint.TreeSize, manifest.CheckpointTreeSize);
        var result = await trail.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public async Task Appends_made_while_a_large_selection_is_archived_are_all_kept_and_the_chain_verifies()
    {
        await using var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 3_000);

        var archiving = trail.ArchiveAsync(ArchiveFixtures.Range(0, 2_499), ArchiveFixtures.Target(_folder));
        var appended = await ArchiveFixtures.AppendAsync(trail, 200, start: 3_000);
        await archiving;

        var left = await TrailFixtures.QueryAllAsync(trail);
        Assert.All(appended, r => Assert.Contains(left, l => l.Hash == r.Hash));
        var result = await trail.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
    }
}
