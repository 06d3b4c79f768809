using AuditGen.Integrity.Merkle;
using CsCheck;

using AuditGen.Integrity;

namespace AuditGen.Tests.Integrity.Merkle;

/// <summary>The incremental tree against the literal RFC 6962 recursion, for random sizes up to 2,000 and every index.</summary>
public sealed class MerkleTreePropertyTests
{
    [Fact]
    public void Inclusion_proofs_match_the_reference_for_every_index_and_verify()
    {
        Gen.Int[1, 2_000].Sample(size =>
        {
            var (tree, leaves) = Build(size);
            Assert.Equal(NaiveMerkle.Root(leaves), tree.Root());
            var root = tree.Root();
            for (var i = 0; i < size; i++)
            {
                var proof = tree.InclusionProof(i, size);
                Assert.Equal(NaiveMerkle.Path(i, leaves, 0, size), proof);
                Assert.True(MerkleProof.VerifyInclusion(leaves[i], i, size, proof, root));
            }
        }, iter: 12);
    }

    [Fact]
    public void Consistency_proofs_match_the_reference_for_every_earlier_size_and_verify()
    {
        Gen.Int[1, 2_000].Sample(size =>
        {
            var (tree, leaves) = Build(size);
            var root = tree.Root();
            for (var m = 1; m <= size; m++)
            {
                var proof = tree.ConsistencyProof(m, size);
                Assert.Equal(NaiveMerkle.Consistency(m, leaves, size), proof);
                Assert.True(MerkleProof.VerifyConsistency(m, size, tree.RootAt(m), root, proof));
            }
        }, iter: 12);
    }

    [Fact]
    public void Roots_of_every_earlier_size_match_the_reference()
    {
        Gen.Int[1, 600].Sample(size =>
        {
            var (tree, leaves) = Build(size);
            for (var m = 0; m <= size; m++)
                Assert.Equal(NaiveMerkle.Root(leaves.Take(m).ToList()), tree.RootAt(m));
        }, iter: 10);
    }

    [Fact]
    public void A_proof_for_one_leaf_does_not_verify_another_leaf_or_index()
    {
        Gen.Int[2, 2_000].SelectMany(size => Gen.Int[0, size - 1].Select(i => (size, i))).Sample(c =>
        {
            var (tree, leaves) = Build(c.size);
            var proof = tree.InclusionProof(c.i, c.size);
            var other = (c.i + 1) % c.size;
            Assert.False(MerkleProof.VerifyInclusion(leaves[other], c.i, c.size, proof, tree.Root()));
            Assert.False(MerkleProof.VerifyInclusion(leaves[c.i], other, c.size, proof, tree.Root()));
        }, iter: 200);
    }

    [Fact]
    public void Reopening_a_store_restores_the_same_tree_without_the_leaves()
    {
        Gen.Int[0, 2_000].Sample(size =>
        {
            var (tree, _) = Build(size);
            var reopened = new MerkleTree(tree.Store);
            Assert.Equal(size, reopened.Size);
            Assert.Equal(tree.Root(), reopened.Root());
        }, iter: 50);
    }

    [Fact]
    public void Node_positions_follow_post_order()
    {
        var store = new RecordingStore();
        var tree = new MerkleTree(store);
        for (var i = 0; i < 300; i++)
            tree.Append(Leaf(i));
        for (var p = 0; p < store.Appended.Count; p++)
            Assert.Equal(p, MerkleTree.PostOrderPosition(store.Appended[p].Level, store.Appended[p].Index));
        Assert.Equal(MerkleTree.NodeCountFor(300), store.Appended.Count);
        Assert.Equal(300, MerkleTree.LeafCountFor(store.NodeCount));
    }

    internal static (MerkleTree Tree, List<byte[]> Leaves) Build(int size)
    {
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());
        var leaves = new List<byte[]>(size);
        for (var i = 0; i < size; i++)
        {
            var leaf = Leaf(i);
            leaves.Add(leaf);
            tree.Append(leaf);
        }
        return (tree, leaves);
    }

    internal static byte[] Leaf(int i) => MerkleProof.HashLeaf(BitConverter.GetBytes(i));

    private sealed class RecordingStore : IMerkleNodeStore
    {
        private readonly InMemoryMerkleNodeStore _inner = new();
        public List<(int Level, long Index)> Appended { get; } = [];
        public long NodeCount => _inner.NodeCount;
        public void Append(int level, long index, ReadOnlySpan<byte> hash) { Appended.Add((level, index)); _inner.Append(level, index, hash); }
        public void Read(int level, long index, Span<byte> destination) => _inner.Read(level, index, destination);
        public void Commit() { }
        public void Sync() { }
        public void Truncate(long nodeCount) => _inner.Truncate(nodeCount);
    }
}
