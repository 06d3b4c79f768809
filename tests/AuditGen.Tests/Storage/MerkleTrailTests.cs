using AuditGen.Integrity;
using AuditGen.Integrity.Merkle;
using AuditGen.Tests.Integrity.Merkle;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

/// <summary>The Merkle tree the LiteDB trail keeps beside its journal (<c>audit.db.tree</c>).</summary>
public sealed class MerkleTrailTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string TreePath => _folder.DbPath + ".tree";

    [Fact]
    public async Task The_tree_root_is_the_rfc6962_root_of_the_records_leaf_hashes()
    {
        var records = await TrailFixtures.WriteAndCloseAsync(_folder, 37);

        await using var trail = _folder.Open(readOnly: true);

        Assert.Equal(NaiveMerkle.Root(Leaves(records)), trail.GetRoot(37));
        Assert.Equal(37, trail.TreeSize);
    }

    [Fact]
    public async Task Every_record_has_an_inclusion_proof_that_verifies_against_the_root()
    {
        var records = await TrailFixtures.WriteAndCloseAsync(_folder, 21);
        await using var trail = _folder.Open(readOnly: true);
        var root = trail.GetRoot(21);

        foreach (var record in records)
        {
            var proof = await trail.GetInclusionProofAsync(record.Sequence);
            Assert.True(MerkleProof.VerifyInclusion(proof.LeafHash, record.Sequence, 21, proof.Path, root));
        }
    }

    [Fact]
    public async Task A_proof_for_an_earlier_tree_size_verifies_against_that_size_root()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 30);
        await using var trail = _folder.Open(readOnly: true);

        var proof = await trail.GetInclusionProofAsync(3, treeSize: 9);

        Assert.True(MerkleProof.VerifyInclusion(proof.LeafHash, 3, 9, proof.Path, trail.GetRoot(9)));
        Assert.False(MerkleProof.VerifyInclusion(proof.LeafHash, 3, 9, proof.Path, trail.GetRoot(30)));
    }

    [Fact]
    public async Task A_consistency_proof_shows_an_earlier_tree_is_a_prefix_of_a_later_one()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 25);
        await using var trail = _folder.Open(readOnly: true);

        var proof = trail.GetConsistencyProof(10, 25);

        Assert.True(MerkleProof.VerifyConsistency(10, 25, trail.GetRoot(10), trail.GetRoot(25), proof.Path));
    }

    [Fact]
    public async Task An_inclusion_proof_for_a_record_past_the_end_is_refused_with_the_trail_size()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 4);
        await using var trail = _folder.Open(readOnly: true);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => trail.GetInclusionProofAsync(4).AsTask());

        Assert.Contains("0 to 3", error.Message);
    }

    [Fact]
    public async Task A_cleanly_closed_trail_leaves_its_whole_tree_durable_so_reopening_rehashes_nothing()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 50);

        using var store = FileMerkleNodeStore.Open(TreePath, readOnly: true);

        Assert.Equal(50, store.SyncedLeafCount);
        Assert.Equal(MerkleTree.NodeCountFor(50), store.NodeCount);
    }

    [Fact]
    public async Task A_deleted_tree_file_is_rebuilt_from_the_journal_on_open()
    {
        var records = await TrailFixtures.WriteAndCloseAsync(_folder, 19);
        File.Delete(TreePath);

        await using (var trail = _folder.Open())
            Assert.Equal(NaiveMerkle.Root(Leaves(records)), trail.GetRoot(19));

        using var store = FileMerkleNodeStore.Open(TreePath, readOnly: true);
        Assert.Equal(19, store.SyncedLeafCount);
    }

    [Fact]
    public async Task Tree_nodes_written_after_the_last_sync_are_recomputed_from_the_journal_not_trusted()
    {
        var records = await TrailFixtures.WriteAndCloseAsync(_folder, 12);
        // A power loss can leave garbage after the last sync point: mark only 4 leaves durable and scribble on the rest.
        using (var store = FileMerkleNodeStore.Open(TreePath, readOnly: false))
            store.Truncate(MerkleTree.NodeCountFor(4));
        await using (var file = new FileStream(TreePath, FileMode.Append))
            file.Write(new byte[32 * (MerkleTree.NodeCountFor(12) - MerkleTree.NodeCountFor(4))]);

        await using var trail = _folder.Open(readOnly: true);

        Assert.Equal(NaiveMerkle.Root(Leaves(records)), trail.GetRoot(12));
    }

    [Fact]
    public async Task A_tree_file_longer_than_the_journal_is_cut_back_to_it()
    {
        var records = await TrailFixtures.WriteAndCloseAsync(_folder, 6);
        await using (var file = new FileStream(TreePath, FileMode.Append))
            file.Write(new byte[32 * 5]);

        await using var trail = _folder.Open();

        Assert.Equal(6, trail.TreeSize);
        Assert.Equal(NaiveMerkle.Root(Leaves(records)), trail.GetRoot(6));
    }

    [Fact]
    public async Task A_file_that_is_not_a_tree_file_is_refused_naming_it()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 3);
        await File.WriteAllTextAsync(TreePath, "this is not a merkle tree file at all");

        var error = Assert.Throws<AuditStoreCorruptException>(() => _folder.Open());

        Assert.Contains(TreePath, error.Message);
    }

    [Fact]
    public async Task Appending_to_a_reopened_trail_extends_the_same_tree()
    {
        var first = await TrailFixtures.WriteAndCloseAsync(_folder, 7);
        var second = await TrailFixtures.WriteAndCloseAsync(_folder, 9, start: 7);

        await using var trail = _folder.Open(readOnly: true);

        Assert.Equal(NaiveMerkle.Root(Leaves([.. first, .. second])), trail.GetRoot(16));
    }

    internal static List<byte[]> Leaves(IEnumerable<AuditRecord> records) => [.. records.Select(r =>
    {
        var leaf = new byte[32];
        ChainHasher.ComputeRecordHash(r, leaf);
        return leaf;
    })];
}
