using System.Numerics;

namespace AuditGen.Integrity.Merkle;

/// <summary>
/// An append-only RFC 6962 Merkle tree over leaf hashes, kept incrementally: appending a leaf hashes only the subtrees it
/// completes (one node hash per leaf on average) and writes them to an <see cref="IMerkleNodeStore"/>; the right edge
/// (one complete subtree per set bit of the size, the "compact range") stays in memory for the root. Roots of earlier
/// sizes, inclusion proofs and consistency proofs are assembled from stored complete subtrees, reading O(log² n) nodes
/// at worst, never the leaves. Not thread-safe: one writer appends; readers use their own instance over the store.
/// </summary>
public sealed class MerkleTree
{
    private const int HashSize = MerkleProof.HashSize;

    private readonly IMerkleNodeStore _store;
    // The right edge: complete subtrees for each set bit of Size, largest (leftmost) first.
    private readonly List<(int Level, byte[] Hash)> _edge = [];

    /// <summary>Opens the tree the store holds (its size is the largest leaf count whose nodes are all stored).</summary>
    /// <exception cref="InvalidDataException">The store holds a node count no tree has (a torn append): truncate it first.</exception>
    public MerkleTree(IMerkleNodeStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        var size = LeafCountFor(store.NodeCount);
        if (NodeCountFor(size) != store.NodeCount)
            throw new InvalidDataException($"The Merkle node store holds {store.NodeCount} nodes, which is no complete tree (nearest: {size} leaves, {NodeCountFor(size)} nodes).");
        Size = size;
        foreach (var (level, index) in Decompose(0, size))
        {
            var hash = new byte[HashSize];
            store.Read(level, index, hash);
            _edge.Add((level, hash));
        }
    }

    /// <summary>How many leaves the tree has.</summary>
    public long Size { get; private set; }

    /// <summary>The store behind the tree.</summary>
    public IMerkleNodeStore Store => _store;

    /// <summary>Appends a leaf hash (32 bytes) and stores the node hashes it completes.</summary>
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != HashSize)
            throw new ArgumentException($"A leaf hash is {HashSize} bytes.", nameof(leafHash));
        var index = Size;
        var hash = leafHash.ToArray();
        _store.Append(0, index, hash);
        var level = 0;
        while (_edge.Count > 0 && _edge[^1].Level == level)
        {
            var left = _edge[^1].Hash;
            _edge.RemoveAt(_edge.Count - 1);
            var parent = new byte[HashSize];
            MerkleProof.HashChildren(left, hash, parent);
            hash = parent;
            index >>= 1;
            level++;
            _store.Append(level, index, hash);
        }
        _edge.Add((level, hash));
        Size++;
    }

    /// <summary>The root of the whole tree (the empty tree's root, SHA-256 of nothing, when it has no leaves).</summary>
    public byte[] Root()
    {
        if (_edge.Count == 0)
            return MerkleProof.EmptyRoot();
        var root = _edge[^1].Hash.ToArray();
        for (var i = _edge.Count - 2; i >= 0; i--)
            MerkleProof.HashChildren(_edge[i].Hash, root, root);
        return root;
    }

    /// <summary>The root the tree had when it held <paramref name="size"/> leaves.</summary>
    public byte[] RootAt(long size)
    {
        CheckSize(size, nameof(size));
        return size == Size ? Root() : size == 0 ? MerkleProof.EmptyRoot() : RangeHash(0, size);
    }

    /// <summary>The stored leaf hash at <paramref name="index"/>.</summary>
    public byte[] LeafHash(long index)
    {
        if (index < 0 || index >= Size)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The tree has {Size} leaves.");
        var hash = new byte[HashSize];
        _store.Read(0, index, hash);
        return hash;
    }

    /// <summary>The RFC 6962 inclusion proof (audit path) of leaf <paramref name="index"/> in the tree of <paramref name="treeSize"/> leaves.</summary>
    public IReadOnlyList<byte[]> InclusionProof(long index, long treeSize)
    {
        CheckSize(treeSize, nameof(treeSize));
        if (index < 0 || index >= treeSize)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"A tree of {treeSize} leaves has leaves 0 to {treeSize - 1}.");
        var proof = new List<byte[]>();
        Path(index, 0, treeSize, proof);
        return proof;
    }

    /// <summary>The RFC 6962 consistency proof that the tree of <paramref name="size1"/> leaves is a prefix of the tree of <paramref name="size2"/>.</summary>
    public IReadOnlyList<byte[]> ConsistencyProof(long size1, long size2)
    {
        CheckSize(size2, nameof(size2));
        if (size1 <= 0 || size1 > size2)
            throw new ArgumentOutOfRangeException(nameof(size1), size1, $"A consistency proof needs 0 < size1 ≤ size2 ({size2}).");
        var proof = new List<byte[]>();
        if (size1 < size2)
            SubProof(size1, 0, size2, true, proof);
        return proof;
    }

    /// <summary>Where node <paramref name="level"/>/<paramref name="index"/> sits in post-order (the order nodes are appended).</summary>
    public static long PostOrderPosition(int level, long index)
    {
        var lastLeaf = ((index + 1) << level) - 1;
        return NodeCountFor(lastLeaf) + level;
    }

    /// <summary>How many nodes a tree of <paramref name="leafCount"/> leaves stores: <c>2n − popcount(n)</c>.</summary>
    public static long NodeCountFor(long leafCount) => 2 * leafCount - BitOperations.PopCount((ulong)leafCount);

    /// <summary>The largest leaf count whose nodes fit in <paramref name="nodeCount"/> nodes.</summary>
    public static long LeafCountFor(long nodeCount)
    {
        long low = 0, high = nodeCount / 2 + 64;
        while (low < high)
        {
            var mid = low + (high - low + 1) / 2;
            if (NodeCountFor(mid) <= nodeCount) low = mid; else high = mid - 1;
        }
        return low;
    }

    // RFC 6962 §2.1.1 PATH(m, D[lo:hi]), with m absolute.
    private void Path(long m, long lo, long hi, List<byte[]> proof)
    {
        if (hi - lo == 1)
            return;
        var k = LargestPowerOfTwoBelow(hi - lo);
        if (m < lo + k)
        {
            Path(m, lo, lo + k, proof);
            proof.Add(RangeHash(lo + k, hi));
        }
        else
        {
            Path(m, lo + k, hi, proof);
            proof.Add(RangeHash(lo, lo + k));
        }
    }

    // RFC 6962 §2.1.2 SUBPROOF(m, D[lo:hi], b), with m relative to lo.
    private void SubProof(long m, long lo, long hi, bool complete, List<byte[]> proof)
    {
        var n = hi - lo;
        if (m == n)
        {
            if (!complete)
                proof.Add(RangeHash(lo, hi));
            return;
        }
        var k = LargestPowerOfTwoBelow(n);
        if (m <= k)
        {
            SubProof(m, lo, lo + k, complete, proof);
            proof.Add(RangeHash(lo + k, hi));
        }
        else
        {
            SubProof(m - k, lo + k, hi, false, proof);
            proof.Add(RangeHash(lo, lo + k));
        }
    }

    // MTH(D[lo:hi]) for a range the RFC recursion produces (lo aligned to the range's size rounded up to a power of two):
    // its complete subtrees, decreasing in size, folded right to left.
    private byte[] RangeHash(long lo, long hi)
    {
        byte[]? hash = null;
        Span<byte> node = stackalloc byte[HashSize];
        var parts = Decompose(lo, hi);
        for (var i = parts.Count - 1; i >= 0; i--)
        {
            _store.Read(parts[i].Level, parts[i].Index, node);
            if (hash is null)
                hash = node.ToArray();
            else
                MerkleProof.HashChildren(node, hash, hash);
        }
        return hash ?? MerkleProof.EmptyRoot();
    }

    // The complete subtrees covering [lo, hi), left to right.
    private static List<(int Level, long Index)> Decompose(long lo, long hi)
    {
        var parts = new List<(int, long)>();
        while (lo < hi)
        {
            var level = lo == 0 ? 62 : BitOperations.TrailingZeroCount(lo);
            while (level > 0 && lo + (1L << level) > hi)
                level--;
            parts.Add((level, lo >> level));
            lo += 1L << level;
        }
        return parts;
    }

    private static long LargestPowerOfTwoBelow(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    private void CheckSize(long size, string name)
    {
        if (size < 0 || size > Size)
            throw new ArgumentOutOfRangeException(name, size, $"The tree has {Size} leaves.");
    }
}
