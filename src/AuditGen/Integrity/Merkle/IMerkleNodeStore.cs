namespace AuditGen.Integrity.Merkle;

/// <summary>
/// Where a <see cref="MerkleTree"/> keeps the hashes of its complete subtrees. Nodes are addressed by level (0 = leaf)
/// and index within the level, and always arrive in post-order: a leaf, then every subtree it completes, lowest first.
/// That order lets a file store append (node <c>(level, index)</c> sits at post-order position
/// <see cref="MerkleTree.PostOrderPosition"/>) and a database store insert rows, with the same tree code.
/// </summary>
public interface IMerkleNodeStore
{
    /// <summary>How many nodes the store holds (all of them readable): <c>2n − popcount(n)</c> for <c>n</c> leaves.</summary>
    long NodeCount { get; }

    /// <summary>Appends the next node in post-order (readable at once; durable only after <see cref="Sync"/>).</summary>
    void Append(int level, long index, ReadOnlySpan<byte> hash);

    /// <summary>Reads the node <paramref name="level"/>/<paramref name="index"/> (it must be complete) into <paramref name="destination"/>.</summary>
    void Read(int level, long index, Span<byte> destination);

    /// <summary>Writes appended nodes to the backing store in one operation (not yet durable).</summary>
    void Commit();

    /// <summary>Makes every committed node durable.</summary>
    void Sync();

    /// <summary>Drops every node after the first <paramref name="nodeCount"/> (a tree cut back to fewer leaves).</summary>
    void Truncate(long nodeCount);
}

/// <summary>An in-memory node store: for tests, verifiers and stores that rebuild the tree on open.</summary>
public sealed class InMemoryMerkleNodeStore : IMerkleNodeStore
{
    private readonly List<byte[]> _nodes = [];

    /// <inheritdoc />
    public long NodeCount => _nodes.Count;

    /// <inheritdoc />
    public void Append(int level, long index, ReadOnlySpan<byte> hash) => _nodes.Add(hash.ToArray());

    /// <inheritdoc />
    public void Read(int level, long index, Span<byte> destination) =>
        _nodes[checked((int)MerkleTree.PostOrderPosition(level, index))].CopyTo(destination);

    /// <inheritdoc />
    public void Commit() { }

    /// <inheritdoc />
    public void Sync() { }

    /// <inheritdoc />
    public void Truncate(long nodeCount) => _nodes.RemoveRange(checked((int)nodeCount), _nodes.Count - (int)nodeCount);
}

/// <summary>Keeps no nodes (a tree that only needs its root as it grows, as a verifier does): reads are refused.</summary>
internal sealed class DiscardingMerkleNodeStore : IMerkleNodeStore
{
    /// <inheritdoc />
    public long NodeCount { get; private set; }

    /// <inheritdoc />
    public void Append(int level, long index, ReadOnlySpan<byte> hash) => NodeCount++;

    /// <inheritdoc />
    public void Read(int level, long index, Span<byte> destination) =>
        throw new InvalidOperationException("This tree keeps no nodes; only its current root is available.");

    /// <inheritdoc />
    public void Commit() { }

    /// <inheritdoc />
    public void Sync() { }

    /// <inheritdoc />
    public void Truncate(long nodeCount) => NodeCount = Math.Min(NodeCount, nodeCount);
}
