using AuditGen.Integrity;
using AuditGen.Integrity.Merkle;
using Npgsql;
using NpgsqlTypes;

namespace AuditGen.PostgreSql.Storage;

/// <summary>
/// How a log's Merkle tree lives in <c>auditgen.tree_nodes</c>: nodes are numbered by post-order position
/// (<see cref="MerkleTree.PostOrderPosition"/>), so the nodes of a tree of <c>n</c> leaves are exactly positions
/// 0 … <c>2n − popcount(n)</c> − 1 and appending leaves appends the next positions. Each group commit stores the nodes its
/// leaves complete as one run (schema version 5): a row whose <c>position</c> is the run's first node and whose
/// <c>hashes</c> are the run's hashes end to end. Reads go through <c>auditgen.tree_node(log, position)</c>.
/// </summary>
internal static class TreeNodes
{
    /// <summary>
    /// The chain's tail and the tree's right edge at that size, in one statement: a row (0, last sequence, its hash, null);
    /// one row (1, position, null, node) per complete subtree of the edge (one per set bit of the size); and a row
    /// (2, sequence of the latest <c>checkpoint_signed</c> record or null, null, null; found through the partial index
    /// <c>records_checkpoints</c>, schema version 4). The edge positions are
    /// <see cref="MerkleTree.PostOrderPosition"/> of (level l, index size ≫ l − 1), computed in SQL, each read from the
    /// run that holds it (the lookup of <c>auditgen.tree_node</c>, written out so that it is planned with the statement).
    /// </summary>
    public const string TailSql = """
        WITH t AS (SELECT sequence, hash FROM auditgen.records WHERE log_id = $1 ORDER BY sequence DESC LIMIT 1)
        SELECT 0 AS kind, t.sequence AS value, t.hash AS chain_hash, NULL::bytea AS node FROM t
        UNION ALL
        SELECT 1, p.position, NULL, substring(r.hashes FROM ((p.position - r.position) * 32 + 1)::integer FOR 32)
          FROM t CROSS JOIN generate_series(0, 62) AS b(l)
         CROSS JOIN LATERAL (SELECT 2 * (((((t.sequence + 1) >> b.l) << b.l) - 1)) - bit_count(((((t.sequence + 1) >> b.l) << b.l) - 1)::bit(64)) + b.l AS position) p
         CROSS JOIN LATERAL (SELECT n.position, n.hashes FROM auditgen.tree_nodes n
                              WHERE n.log_id = $1 AND n.position <= p.position ORDER BY n.position DESC LIMIT 1) r
         WHERE ((t.sequence + 1) >> b.l) & 1 = 1 AND p.position < r.position + length(r.hashes) / 32
        UNION ALL
        SELECT 2, (SELECT sequence FROM auditgen.records WHERE log_id = $1 AND action = 'checkpoint_signed' ORDER BY sequence DESC LIMIT 1), NULL, NULL
        """;

    /// <summary>How many nodes the log's tree holds: the end of its last run.</summary>
    public const string NodeCountSql =
        "SELECT coalesce((SELECT position + length(hashes) / 32 FROM auditgen.tree_nodes WHERE log_id = $1 ORDER BY position DESC LIMIT 1), 0)";

    /// <summary>The nodes at the positions <c>$2</c> (bigint[]) of log <c>$1</c>: rows (position, hash); a missing node has none.</summary>
    public const string NodesAtSql =
        "SELECT n.position, n.node FROM (SELECT p.position, auditgen.tree_node($1, p.position) AS node FROM unnest($2::bigint[]) AS p(position)) n " +
        "WHERE n.node IS NOT NULL";

    /// <summary>The node at position <c>$2</c> of log <c>$1</c>, or null.</summary>
    public const string NodeAtSql = "SELECT auditgen.tree_node($1, $2)";

    /// <summary>Up to <c>$3</c> runs of log <c>$1</c> that start at position <c>$2</c> or later, in order: rows (first position, hashes).</summary>
    public const string RunsFromSql = "SELECT position, hashes FROM auditgen.tree_nodes WHERE log_id = $1 AND position >= $2 ORDER BY position LIMIT $3";

    /// <summary>The complete subtrees (level, index) of the right edge of a tree of <paramref name="size"/> leaves, largest first.</summary>
    public static IEnumerable<(int Level, long Index)> Edge(long size)
    {
        for (var level = 62; level >= 0; level--)
            if (((size >> level) & 1) == 1)
                yield return (level, (size >> level) - 1);
    }

    /// <summary>
    /// Adds two parameters: the first position of <paramref name="nodes"/> (which are consecutive positions, as one group
    /// commit appends them) and their hashes end to end.
    /// </summary>
    public static void AddRunParameters(NpgsqlParameterCollection parameters, IReadOnlyList<(long Position, byte[] Hash)> nodes)
    {
        var hashes = new byte[nodes.Count * MerkleProof.HashSize];
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Position != nodes[0].Position + i)
                throw new InvalidOperationException($"Merkle node {i} of a run is at position {nodes[i].Position}, not {nodes[0].Position + i}.");
            nodes[i].Hash.CopyTo(hashes, i * MerkleProof.HashSize);
        }
        parameters.Add(new NpgsqlParameter<long> { TypedValue = nodes.Count == 0 ? 0 : nodes[0].Position });
        parameters.Add(new NpgsqlParameter<byte[]> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = hashes });
    }

    /// <summary>The nodes of a run row: its first position and its hashes, 32 bytes each.</summary>
    public static IEnumerable<(long Position, byte[] Hash)> Expand(long first, byte[] hashes)
    {
        for (var i = 0; i + MerkleProof.HashSize <= hashes.Length; i += MerkleProof.HashSize)
            yield return (first + i / MerkleProof.HashSize, hashes[i..(i + MerkleProof.HashSize)]);
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
            using var command = new NpgsqlCommand(TreeNodes.NodeAtSql, connection);
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
