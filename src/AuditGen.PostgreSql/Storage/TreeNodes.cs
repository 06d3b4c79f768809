using AuditGen.Integrity.Merkle;
using Npgsql;
using NpgsqlTypes;

namespace AuditGen.PostgreSql.Storage;

/// <summary>
/// How a log's Merkle tree lives in <c>auditgen.tree_nodes</c>: one row per node at its post-order position
/// (<see cref="MerkleTree.PostOrderPosition"/>), so the nodes of a tree of <c>n</c> leaves are exactly positions
/// 0 … <c>2n − popcount(n)</c> − 1 and a writer extends the tree by inserting rows after them.
/// </summary>
internal static class TreeNodes
{
    /// <summary>
    /// The chain's tail and the tree's right edge at that size, in one statement: a row (0, last sequence, its hash, null);
    /// one row (1, position, null, node) per complete subtree of the edge (one per set bit of the size); and a row
    /// (2, sequence of the latest <c>checkpoint_signed</c> record or null, null, null; found through the partial index
    /// <c>records_checkpoints</c>, schema version 4). The edge positions are
    /// <see cref="MerkleTree.PostOrderPosition"/> of (level l, index size ≫ l − 1), computed in SQL.
    /// </summary>
    public const string TailSql = """
        WITH t AS (SELECT sequence, hash FROM auditgen.records WHERE log_id = $1 ORDER BY sequence DESC LIMIT 1)
        SELECT 0 AS kind, t.sequence AS value, t.hash AS chain_hash, NULL::bytea AS node FROM t
        UNION ALL
        SELECT 1, n.position, NULL, n.hash
          FROM t CROSS JOIN generate_series(0, 62) AS b(l)
          JOIN auditgen.tree_nodes n ON n.log_id = $1
           AND n.position = 2 * (((((t.sequence + 1) >> b.l) << b.l) - 1)) - bit_count(((((t.sequence + 1) >> b.l) << b.l) - 1)::bit(64)) + b.l
         WHERE ((t.sequence + 1) >> b.l) & 1 = 1
        UNION ALL
        SELECT 2, (SELECT sequence FROM auditgen.records WHERE log_id = $1 AND action = 'checkpoint_signed' ORDER BY sequence DESC LIMIT 1), NULL, NULL
        """;

    /// <summary>How many nodes the log's tree holds (one past the highest position).</summary>
    public const string NodeCountSql = "SELECT coalesce(max(position) + 1, 0) FROM auditgen.tree_nodes WHERE log_id = $1";

    /// <summary>The complete subtrees (level, index) of the right edge of a tree of <paramref name="size"/> leaves, largest first.</summary>
    public static IEnumerable<(int Level, long Index)> Edge(long size)
    {
        for (var level = 62; level >= 0; level--)
            if (((size >> level) & 1) == 1)
                yield return (level, (size >> level) - 1);
    }

    /// <summary>Adds two array parameters: the nodes' positions and their hashes.</summary>
    public static void AddNodeParameters(NpgsqlParameterCollection parameters, IReadOnlyList<(long Position, byte[] Hash)> nodes)
    {
        var positions = new long[nodes.Count];
        var hashes = new byte[nodes.Count][];
        for (var i = 0; i < nodes.Count; i++)
            (positions[i], hashes[i]) = nodes[i];
        parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = positions });
        parameters.Add(new NpgsqlParameter<byte[][]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = hashes });
    }
}

/// <summary>
/// The writer's view of the tree for one attempt: the right edge of the tree at the tail it links onto (all a
/// <see cref="MerkleTree"/> needs to append and give its root), plus the nodes the attempt appends, to be inserted with its
/// records. Reading any other node is a bug.
/// </summary>
internal sealed class EdgeNodeStore : IMerkleNodeStore
{
    private readonly Dictionary<long, byte[]> _nodes;
    private readonly long _baseCount;

    /// <summary>The edge of a tree of <paramref name="size"/> leaves: <paramref name="edge"/> maps the edge's positions to their hashes.</summary>
    public EdgeNodeStore(long size, Dictionary<long, byte[]> edge)
    {
        _baseCount = MerkleTree.NodeCountFor(size);
        _nodes = new Dictionary<long, byte[]>(edge);
    }

    /// <summary>The nodes appended since construction, in post-order.</summary>
    public List<(long Position, byte[] Hash)> Appended { get; } = [];

    /// <inheritdoc />
    public long NodeCount => _baseCount + Appended.Count;

    /// <inheritdoc />
    public void Append(int level, long index, ReadOnlySpan<byte> hash)
    {
        var position = MerkleTree.PostOrderPosition(level, index);
        if (position != NodeCount)
            throw new InvalidOperationException($"Merkle node {level}/{index} is at position {position}, not the next one ({NodeCount}).");
        var copy = hash.ToArray();
        Appended.Add((position, copy));
        _nodes[position] = copy;
    }

    /// <inheritdoc />
    public void Read(int level, long index, Span<byte> destination)
    {
        if (!_nodes.TryGetValue(MerkleTree.PostOrderPosition(level, index), out var hash))
            throw new InvalidOperationException($"Merkle node {level}/{index} is not on the tree's right edge.");
        hash.CopyTo(destination);
    }

    /// <summary>The right edge after the appended nodes, for the next attempt.</summary>
    public Dictionary<long, byte[]> EdgeAfter(long size) =>
        TreeNodes.Edge(size).Select(n => MerkleTree.PostOrderPosition(n.Level, n.Index)).ToDictionary(p => p, p => _nodes[p]);

    /// <inheritdoc />
    public void Commit() { }

    /// <inheritdoc />
    public void Sync() { }

    /// <inheritdoc />
    public void Truncate(long nodeCount) => throw new InvalidOperationException("A log's tree in PostgreSQL is append-only.");
}

/// <summary>
/// A read-only <see cref="IMerkleNodeStore"/> over <c>auditgen.tree_nodes</c>: the tree of the first <c>size</c> leaves of
/// one log, as a snapshot (nodes are append-only, so later appends do not change it). Each node is read once, on demand,
/// on the given connection (proofs read O(log² n) of them).
/// </summary>
internal sealed class PostgreSqlMerkleNodeStore(NpgsqlConnection connection, string logId, long size) : IMerkleNodeStore
{
    private readonly Dictionary<long, byte[]> _cache = [];

    /// <inheritdoc />
    public long NodeCount { get; } = MerkleTree.NodeCountFor(size);

    /// <inheritdoc />
    public void Read(int level, long index, Span<byte> destination)
    {
        var position = MerkleTree.PostOrderPosition(level, index);
        if (position >= NodeCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"Merkle node {level}/{index} is not in the tree of {size} leaves.");
        if (!_cache.TryGetValue(position, out var hash))
        {
            using var command = new NpgsqlCommand("SELECT hash FROM auditgen.tree_nodes WHERE log_id = $1 AND position = $2", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = logId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
            hash = command.ExecuteScalar() as byte[]
                ?? throw new AuditStoreCorruptException($"The Merkle tree of PostgreSQL log '{logId}' has no node at position {position} (level {level}, index {index}), which its {size} records need.");
            _cache[position] = hash;
        }
        hash.CopyTo(destination);
    }

    /// <inheritdoc />
    public void Append(int level, long index, ReadOnlySpan<byte> hash) => throw ReadOnly();

    /// <inheritdoc />
    public void Commit() => throw ReadOnly();

    /// <inheritdoc />
    public void Sync() => throw ReadOnly();

    /// <inheritdoc />
    public void Truncate(long nodeCount) => throw ReadOnly();

    private static InvalidOperationException ReadOnly() => new("A reader's view of a PostgreSQL log's tree is read-only; the writer extends it with its records.");
}
