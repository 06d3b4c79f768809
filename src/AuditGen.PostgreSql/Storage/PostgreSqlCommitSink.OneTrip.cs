using AuditGen.Integrity.Merkle;
using AuditGen.PostgreSql.Schema;
using AuditGen.Storage;
using Npgsql;

namespace AuditGen.PostgreSql.Storage;

// The writer's own linking: one round trip onto the tail it expects, and the second trip after a miss.
internal sealed partial class PostgreSqlCommitSink
{
    // One round trip (see the class remarks). False when another writer had moved the tail: nothing was written,
    // `actual` is the tail as it is now, and this session holds the log's lock (TryAtHeldTail or Unlock releases it).
    private bool TryAtExpectedTail(NpgsqlConnection connection, GroupCommit commit, SequencedBatch batch, LogTail expected, out LogTail actual)
    {
        actual = expected;
        var nodes = new EdgeNodeStore(expected.Chain.NextSequence, expected.Edge);
        var end = Link(commit, expected.Chain, new MerkleTree(nodes), batch);
        if (batch.Records.Count == 0)
            return true;
        AtStage(CommitStage.BeforeInsert, connection);
        bool inserted;
        using (var optimistic = new NpgsqlBatch(connection))
        {
            var commands = optimistic.BatchCommands;
            commands.Add(new NpgsqlBatchCommand(BeginSql));
            commands.Add(LogCommand(AsyncCommitAndLockSql));
            AddInsertAndCommit(commands, batch, expected.Chain, nodes);
            // After COMMIT, so the next holder sees the batch; kept on a miss, so the tail read below cannot move.
            var unlock = LogCommand(GroupCommitStatements.UnlockIfCommittedSql);
            unlock.Parameters.Add(GroupCommitStatements.MarkerParameter(batch));
            commands.Add(unlock);
            AddFlush(commands, batch);
            var guard = new NpgsqlBatchCommand(GroupCommitStatements.GuardHeldLockSql);
            guard.Parameters.Add(GroupCommitStatements.MarkerParameter(batch));
            guard.Parameters.Add(new NpgsqlParameter<string> { TypedValue = HeldLockTimeoutMilliseconds });
            commands.Add(guard);
            var missed = LogCommand(GroupCommitStatements.TailAfterMissSql);
            missed.Parameters.Add(GroupCommitStatements.MarkerParameter(batch));
            commands.Add(missed);
            _mayHoldLock = true;
            using var reader = optimistic.ExecuteReader();
            inserted = ReadInserted(reader);
            actual = ReadTailResult(reader);
        }
        if (!inserted)
        {
            ObserveCheckpoints(connection, actual);
            return false;
        }
        _mayHoldLock = false;
        OneTripCommits++;
        CountCommit("one_trip");
        // Nobody appended between the expected tail and this batch: the tail is where the batch ended.
        if (_attemptSigned is not null)
            _knownCheckpointSequence = batch.Records[^1].Sequence;
        actual = new LogTail(end, nodes.EdgeAfter(end.NextSequence), _knownCheckpointSequence);
        Committed(connection, batch, actual);
        return true;
    }

    // After a miss, with the log's lock held since the missed attempt: the batch is linked onto `tail` (read under that
    // lock) and sent in one more round trip that commits, releases the lock and flushes. False (lock released, nothing
    // written) only if the tail moved all the same, i.e. a writer that does not take the lock appends to this log.
    private bool TryAtHeldTail(NpgsqlConnection connection, GroupCommit commit, SequencedBatch batch, LogTail tail)
    {
        var nodes = new EdgeNodeStore(tail.Chain.NextSequence, tail.Edge);
        var end = Link(commit, tail.Chain, new MerkleTree(nodes), batch);
        if (batch.Records.Count == 0)
        {
            // The checkpoint that was due at the expected tail is not at the real one (another writer signed it).
            Unlock(connection);
            return true;
        }
        AtStage(CommitStage.BeforeInsert, connection);
        bool inserted;
        using (var held = new NpgsqlBatch(connection))
        {
            var commands = held.BatchCommands;
            commands.Add(new NpgsqlBatchCommand(BeginSql));
            commands.Add(new NpgsqlBatchCommand(AsyncCommitSql));
            AddInsertAndCommit(commands, batch, tail.Chain, nodes);
            commands.Add(LogCommand(AdvisoryLocks.UnlockLogSql));
            commands.Add(new NpgsqlBatchCommand(GroupCommitStatements.ReleaseGuardSql));
            AddFlush(commands, batch);
            using var reader = held.ExecuteReader();
            inserted = ReadInserted(reader);
            ReadToEnd(reader);
        }
        _mayHoldLock = false;
        if (!inserted)
            return false;
        LockedCommits++;
        CountCommit("after_miss");
        Committed(connection, batch, new LogTail(end, nodes.EdgeAfter(end.NextSequence), _knownCheckpointSequence));
        return true;
    }

    // The batch's rows and tree nodes, inserted only if `expected` still is the tail (ReadInserted tells), and COMMIT.
    private void AddInsertAndCommit(NpgsqlBatchCommandCollection commands, SequencedBatch batch, ChainTail expected, EdgeNodeStore nodes)
    {
        var insert = new NpgsqlBatchCommand(GroupCommitStatements.InsertBatchSql);
        GroupCommitStatements.AddInsertBatchParameters(insert.Parameters, _logId, batch, expected, nodes.Appended);
        commands.Add(insert);
        commands.Add(new NpgsqlBatchCommand("COMMIT"));
    }

    // Reads past the results before the insert's and returns its `inserted`; the reader is left on that result.
    private static bool ReadInserted(NpgsqlDataReader reader)
    {
        do
        {
            if (reader.FieldCount == 1 && reader.GetName(0) == "inserted")
                return reader.Read() && reader.GetBoolean(0);
        }
        while (reader.NextResult());
        throw new InvalidOperationException("The group commit's insert statement returned no result.");
    }
}
