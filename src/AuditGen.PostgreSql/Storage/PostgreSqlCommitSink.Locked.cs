using AuditGen.Integrity;
using AuditGen.Integrity.Merkle;
using AuditGen.Storage;
using Npgsql;

namespace AuditGen.PostgreSql.Storage;

// The locked path: the tail read under the lock first, for a tree that lags the chain (and after a second miss).
internal sealed partial class PostgreSqlCommitSink
{
    // Two round trips, which cannot miss: BEGIN, the lock and the tail; then the batch linked onto that tail (after the
    // leaves of records the tree lacks, for a log written before schema version 2), COMMIT (asynchronous, as above) and the flush.
    private void CommitAtLockedTail(NpgsqlConnection connection, GroupCommit commit, SequencedBatch batch)
    {
        LogTail tail;
        using (var begin = new NpgsqlBatch(connection))
        {
            begin.BatchCommands.Add(new NpgsqlBatchCommand(BeginSql));
            begin.BatchCommands.Add(new NpgsqlBatchCommand(AsyncCommitSql));
            var guard = new NpgsqlBatchCommand(GroupCommitStatements.GuardLockedTransactionSql);
            guard.Parameters.Add(new NpgsqlParameter<string> { TypedValue = HeldLockTimeoutMilliseconds });
            begin.BatchCommands.Add(guard);
            begin.BatchCommands.Add(LockLog());
            // The tail is read by a statement of its own, after the lock is held, so its read-committed snapshot
            // includes the previous holder's commit.
            begin.BatchCommands.Add(TailCommand());
            _mayHoldLock = true;
            using var reader = begin.ExecuteReader();
            tail = ReadTailResult(reader);
        }
        ObserveCheckpoints(connection, tail);

        AtStage(CommitStage.BeforeInsert, connection);

        var nodes = tail.TreeIsLevel ? new EdgeNodeStore(tail.Chain.NextSequence, tail.Edge) : CatchUpTree(connection, tail.Chain.NextSequence);
        var end = Link(commit, tail.Chain, new MerkleTree(nodes), batch);
        if (batch.Records.Count == 0)
        {
            using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            rollback.ExecuteNonQuery();
            _mayHoldLock = false;
            return;
        }

        using (var insert = new NpgsqlBatch(connection))
        {
            AddInsertAndCommit(insert.BatchCommands, batch, tail.Chain, nodes);
            AddFlush(insert.BatchCommands, batch);
            using var reader = insert.ExecuteReader();
            var inserted = ReadInserted(reader);
            ReadToEnd(reader);
            if (!inserted)
                throw new AuditStoreCorruptException(
                    $"The tail of PostgreSQL log '{_logId}' moved while this writer held its lock: something appends to it without taking the lock.");
        }
        _mayHoldLock = false;
        LockedCommits++;
        CountCommit("locked");
        Committed(connection, batch, new LogTail(end, nodes.EdgeAfter(end.NextSequence), _knownCheckpointSequence));
    }

    // Under the lock: the tree lags the chain (records written before schema version 2, or by an older writer). Its
    // missing leaves are recomputed from the records, in sequence order, and inserted with the batch.
    private EdgeNodeStore CatchUpTree(NpgsqlConnection connection, long chainSize)
    {
        long nodeCount;
        using (var count = new NpgsqlCommand(TreeNodes.NodeCountSql, connection))
        {
            count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
            nodeCount = (long)count.ExecuteScalar()!;
        }
        var size = MerkleTree.LeafCountFor(nodeCount);
        if (MerkleTree.NodeCountFor(size) != nodeCount || size > chainSize)
            throw new AuditStoreCorruptException(
                $"The Merkle tree of PostgreSQL log '{_logId}' holds {nodeCount} nodes, which is no tree of at most its {chainSize} records; refusing to extend it.");
        var positions = TreeNodes.Edge(size).Select(n => MerkleTree.PostOrderPosition(n.Level, n.Index)).ToArray();
        var edge = new Dictionary<long, byte[]>();
        using (var read = new NpgsqlCommand(TreeNodes.NodesAtSql, connection))
        {
            read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
            read.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = positions });
            using var reader = read.ExecuteReader();
            while (reader.Read())
                edge[reader.GetInt64(0)] = reader.GetFieldValue<byte[]>(1);
        }
        var nodes = new EdgeNodeStore(size, edge);
        var tree = new MerkleTree(nodes);
        using (var records = new NpgsqlCommand($"SELECT {RecordRows.Columns} FROM auditgen.records WHERE log_id = $1 AND sequence >= $2 ORDER BY sequence", connection))
        {
            records.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
            records.Parameters.Add(new NpgsqlParameter<long> { TypedValue = size });
            using var reader = records.ExecuteReader();
            Span<byte> leaf = stackalloc byte[ChainHasher.HashSize];
            while (reader.Read())
            {
                var sequence = reader.GetInt64(0);
                if (sequence != tree.Size)
                    throw new AuditStoreCorruptException(
                        $"The Merkle tree of PostgreSQL log '{_logId}' lacks the leaf of sequence {tree.Size}, whose record is gone (deleted by retention?): the tree cannot be completed.");
                try
                {
                    ChainHasher.ComputeRecordHash(RecordRows.Read(reader), leaf);
                }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    throw new AuditStoreCorruptException($"The record at sequence {sequence} of PostgreSQL log '{_logId}' cannot be hashed for the Merkle tree: {e.Message}", e);
                }
                tree.Append(leaf);
            }
        }
        if (tree.Size != chainSize)
            throw new AuditStoreCorruptException($"The Merkle tree of PostgreSQL log '{_logId}' could not be brought level with its {chainSize} records ({tree.Size}).");
        return nodes;
    }
}
