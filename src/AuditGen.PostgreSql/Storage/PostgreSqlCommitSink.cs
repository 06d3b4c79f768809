using System.Diagnostics;
using AuditGen.PostgreSql.Schema;
using AuditGen.Storage;
using Npgsql;

namespace AuditGen.PostgreSql.Storage;

/// <summary>Points in a group commit where tests inject failures (a killed backend, a lost COMMIT answer).</summary>
internal enum CommitStage
{
    /// <summary>The batch is linked onto the tail it expects and about to be sent (under the lock, in the locked path); nothing inserted yet.</summary>
    BeforeInsert,
    /// <summary>COMMIT and the WAL flush have been answered: the batch is durable, nobody acknowledged yet.</summary>
    AfterCommit,
}

/// <summary>
/// The PostgreSQL durability point for one process's writer. A group commit is ONE round trip on one connection, which
/// never holds the log's lock while the client thinks:
/// <c>BEGIN</c>; <c>synchronous_commit = off</c> for this transaction; <c>pg_advisory_xact_lock</c> on the log; an
/// <c>INSERT … SELECT FROM unnest(…)</c> of the batch, linked by the shared <see cref="ChainSequencer"/> onto the tail this
/// writer expects, which inserts nothing unless that still is the tail (checked under the lock); <c>COMMIT</c> — which
/// releases the lock without waiting for the WAL flush; then a transaction that emits a logical message only if the batch
/// went in, whose synchronous commit flushes the WAL up to and including the batch; then the tail as it now is.
/// Writers in other processes or on other machines take the same lock, so the chain never forks; another writer may
/// link onto the batch before it is flushed, but its own flush covers this one (WAL is flushed in order), so nothing
/// anyone acknowledges depends on a record that may vanish. When the expected tail was stale, nothing was written and the
/// answer carries the real tail: the batch is re-linked onto it and sent again (after <see cref="MaxOptimisticAttempts"/>
/// misses in a row, the batch is linked under the lock instead, in two round trips, which always succeeds).
/// <para>
/// Failures: the connection is dropped, and before anything is retried the sink asks a fresh connection whether the
/// batch's records exist (by their ids, which stay the same across attempts, as do their timestamps): if they do, the
/// commit happened, the WAL is flushed through them on that connection, and the batch is acknowledged with the stored
/// records; if not, nothing of it exists (one transaction) and a transient failure is retried against the new tail. So a
/// record is never lost after its acknowledgement and never written twice; the unique index on (log_id, id) backs that
/// up. What cannot be decided within <see cref="RetryTimeout"/> rejects the batch (its callers fail; the next batch starts afresh).
/// </para>
/// </summary>
internal sealed class PostgreSqlCommitSink : IGroupCommitSink
{
    /// <summary>Optimistic attempts of one group commit before it takes the lock for a read of the tail.</summary>
    public const int MaxOptimisticAttempts = 4;

    private const string TailSql =
        "SELECT sequence, hash FROM auditgen.records WHERE log_id = $1 ORDER BY sequence DESC LIMIT 1";

    private const string BeginSql = "BEGIN ISOLATION LEVEL READ COMMITTED";

    // This transaction's commit does not wait for the WAL flush, so the lock is released at once; FlushSql waits for it.
    private const string AsyncCommitSql = "SELECT set_config('synchronous_commit', 'off', true)";

    // A transactional logical message writes WAL only when the batch (its first record id, $2) is in; its transaction's
    // commit, synchronous under the session's setting, then flushes the WAL through the batch. Nothing is written otherwise.
    private const string FlushSql =
        "SELECT pg_logical_emit_message(true, 'auditgen', ''::text) WHERE EXISTS (SELECT 1 FROM auditgen.records WHERE log_id = $1 AND id = $2)";

    private const string ExpectTailSql =
        " WHERE coalesce((SELECT sequence FROM auditgen.records WHERE log_id = $1 ORDER BY sequence DESC LIMIT 1), -1) = $31" +
        " AND coalesce((SELECT hash FROM auditgen.records WHERE log_id = $1 ORDER BY sequence DESC LIMIT 1), '') = $32";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _logId;
    private readonly ChainSequencer _sequencer;
    private readonly List<RecordStamp> _stamps = [];
    private NpgsqlConnection? _connection;

    // The tail as this writer last saw it (after its own commit or a miss); the expected tail of its next attempt.
    private ChainTail? _lastTail;

    public PostgreSqlCommitSink(NpgsqlDataSource dataSource, string logId, AuditTrailOptions options)
    {
        _dataSource = dataSource;
        _logId = logId;
        _sequencer = new ChainSequencer(options.TimeProvider);
    }

    /// <summary>How long one group commit may keep retrying transient failures before its callers fail. Default 30 s.</summary>
    public TimeSpan RetryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Failure injection for tests; runs at each <see cref="CommitStage"/> with the writer's connection.</summary>
    internal Func<CommitStage, NpgsqlConnection, ValueTask>? TestHook { get; set; }

    /// <summary>Group commits retried after a failure (for tests and diagnostics).</summary>
    public int Retries { get; private set; }

    /// <summary>Group commits found committed after their answer was lost.</summary>
    public int RecoveredCommits { get; private set; }

    /// <summary>Group commits made in one round trip onto the tail this writer expected.</summary>
    public int OneTripCommits { get; private set; }

    /// <summary>Recovered group commits whose WAL flush was made on the recovery connection.</summary>
    public int FlushedOnRecovery { get; private set; }

    /// <summary>Optimistic attempts that found the tail moved by another writer (nothing was written; the batch was re-linked).</summary>
    public int TailMisses { get; private set; }

    /// <summary>Group commits linked under the lock after <see cref="MaxOptimisticAttempts"/> misses.</summary>
    public int LockedCommits { get; private set; }

    /// <inheritdoc />
    public async ValueTask<SequencedBatch> CommitAsync(GroupCommit commit)
    {
        var appends = commit.Appends;
        if (appends.Count == 0)
            return new SequencedBatch();

        // Stamped once: every attempt links the same ids and times, so "did it commit?" can be asked by id.
        _stamps.Clear();
        for (var i = 0; i < appends.Count; i++)
            _stamps.Add(_sequencer.Stamp());

        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var batch = new SequencedBatch();
            Exception failure;
            try
            {
                Attempt(appends, batch);
                return batch;
            }
            catch (Exception e) when (DatabaseFailures.IsDatabaseFailure(e))
            {
                failure = e;
                _lastTail = null;
                await DropConnectionAsync().ConfigureAwait(false);
            }

            if (batch.Records.Count == 0)
            {
                if (!DatabaseFailures.IsTransient(failure) || Stopwatch.GetElapsedTime(started) > RetryTimeout)
                    throw Rejected("could not be written", failure);
            }
            else
            {
                // The outcome is unknown until the database says whether the batch's records exist.
                while (true)
                {
                    try
                    {
                        if (await FindCommittedAsync(batch).ConfigureAwait(false) is { } committed)
                        {
                            RecoveredCommits++;
                            return committed;
                        }
                        break;
                    }
                    catch (Exception e) when (DatabaseFailures.IsDatabaseFailure(e) && e is not AuditStoreCorruptException)
                    {
                        if (Stopwatch.GetElapsedTime(started) > RetryTimeout)
                            throw Rejected("may or may not have been committed: the database could not be asked within the retry timeout", e);
                        await Task.Delay(delay).ConfigureAwait(false);
                        delay = Next(delay);
                    }
                }
                if (!DatabaseFailures.IsTransient(failure) || Stopwatch.GetElapsedTime(started) > RetryTimeout)
                    throw Rejected("was not committed", failure);
            }

            Retries++;
            await Task.Delay(delay).ConfigureAwait(false);
            delay = Next(delay);
        }
    }

    private static TimeSpan Next(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));

    private GroupCommitRejectedException Rejected(string what, Exception cause) => new(
        $"The group commit to PostgreSQL log '{_logId}' {what} ({cause.Message}). These records are not acknowledged; " +
        "records acknowledged before were committed, and the next append starts a new group commit.", cause);

    // Synchronous on purpose: the writer's thread blocks in the socket read and resumes there, instead of hopping to
    // the thread pool twice per group commit.
    private void Attempt(IReadOnlyList<WriteRequest> appends, SequencedBatch batch)
    {
        var connection = _connection ??= _dataSource.OpenConnection();
        var expected = _lastTail ?? ReadTail(connection);
        for (var attempt = 0; attempt < MaxOptimisticAttempts; attempt++)
        {
            if (TryAtExpectedTail(connection, appends, batch, expected, out var actual))
                return;
            TailMisses++;
            batch.Clear();
            expected = actual;
        }
        CommitAtLockedTail(connection, appends, batch);
    }

    // One round trip (see the class remarks). False when another writer had moved the tail: nothing was written, and
    // `actual` is the tail as it is now.
    private bool TryAtExpectedTail(NpgsqlConnection connection, IReadOnlyList<WriteRequest> appends, SequencedBatch batch,
        ChainTail expected, out ChainTail actual)
    {
        actual = expected;
        _sequencer.Link(appends, _stamps, expected, batch, link: null);
        if (batch.Records.Count == 0)
            return true;
        if (TestHook is { } before)
            before(CommitStage.BeforeInsert, connection).AsTask().GetAwaiter().GetResult();
        NpgsqlBatchCommand rows;
        using (var optimistic = new NpgsqlBatch(connection))
        {
            var commands = optimistic.BatchCommands;
            commands.Add(new NpgsqlBatchCommand(BeginSql));
            commands.Add(new NpgsqlBatchCommand(AsyncCommitSql));
            commands.Add(LockLog());
            rows = new NpgsqlBatchCommand(RecordRows.InsertSql + ExpectTailSql);
            RecordRows.AddInsertParameters(rows.Parameters, _logId, batch.Records);
            rows.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected.NextSequence - 1 });
            rows.Parameters.Add(new NpgsqlParameter<string> { TypedValue = expected.NextSequence == 0 ? "" : expected.PreviousHash });
            commands.Add(rows);
            commands.Add(new NpgsqlBatchCommand("COMMIT"));
            AddFlush(commands, batch);
            var tail = new NpgsqlBatchCommand(TailSql);
            tail.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
            commands.Add(tail);
            using var reader = optimistic.ExecuteReader();
            actual = ReadTailResult(reader);
        }
        if (rows.RecordsAffected == 0)
            return false;
        OneTripCommits++;
        Committed(connection, actual);
        return true;
    }

    private NpgsqlBatchCommand LockLog()
    {
        var lockLog = new NpgsqlBatchCommand(AdvisoryLocks.LockLogSql);
        lockLog.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
        return lockLog;
    }

    private void AddFlush(NpgsqlBatchCommandCollection commands, SequencedBatch batch)
    {
        commands.Add(new NpgsqlBatchCommand(BeginSql));
        var flush = new NpgsqlBatchCommand(FlushSql);
        flush.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
        flush.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = batch.Records[0].Id });
        commands.Add(flush);
        commands.Add(new NpgsqlBatchCommand("COMMIT"));
    }

    private void Committed(NpgsqlConnection connection, ChainTail tail)
    {
        _lastTail = tail;
        if (TestHook is { } after)
            after(CommitStage.AfterCommit, connection).AsTask().GetAwaiter().GetResult();
    }

    private ChainTail ReadTail(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(TailSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
        using var reader = command.ExecuteReader();
        return ReadTailResult(reader);
    }

    // The tail is the last result set with two columns (sequence, hash); none of its rows: an empty log.
    private ChainTail ReadTailResult(NpgsqlDataReader reader)
    {
        var tail = ChainTail.Genesis;
        do
        {
            if (reader.FieldCount != 2 || reader.GetName(0) != "sequence")
                continue;
            tail = ChainTail.Genesis;
            if (!reader.Read())
                continue;
            var sequence = reader.GetInt64(0);
            var hash = reader.GetString(1);
            if (!AuditGen.Canonical.AuditRecordCodec.IsHashHex(hash))
                throw new AuditStoreCorruptException(
                    $"The tail of PostgreSQL log '{_logId}' (sequence {sequence}) has a stored hash that is not 64 lower-case hex digits; refusing to extend it.");
            tail = new ChainTail(sequence + 1, hash);
        }
        while (reader.NextResult());
        return tail;
    }

    // Two round trips, which cannot miss: BEGIN, the lock and the tail; then the batch linked onto that tail, COMMIT
    // (asynchronous, as above) and the flush.
    private void CommitAtLockedTail(NpgsqlConnection connection, IReadOnlyList<WriteRequest> appends, SequencedBatch batch)
    {
        ChainTail tail;
        using (var begin = new NpgsqlBatch(connection))
        {
            begin.BatchCommands.Add(new NpgsqlBatchCommand(BeginSql));
            begin.BatchCommands.Add(new NpgsqlBatchCommand(AsyncCommitSql));
            begin.BatchCommands.Add(LockLog());
            var readTail = new NpgsqlBatchCommand(TailSql);
            readTail.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
            begin.BatchCommands.Add(readTail);
            // The tail is read by a statement of its own, after the lock is held, so its read-committed snapshot
            // includes the previous holder's commit.
            using var reader = begin.ExecuteReader();
            tail = ReadTailResult(reader);
        }

        if (TestHook is { } before)
            before(CommitStage.BeforeInsert, connection).AsTask().GetAwaiter().GetResult();

        var end = _sequencer.Link(appends, _stamps, tail, batch, link: null);
        if (batch.Records.Count == 0)
        {
            using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            rollback.ExecuteNonQuery();
            return;
        }

        using (var insert = new NpgsqlBatch(connection))
        {
            var rows = new NpgsqlBatchCommand(RecordRows.InsertSql);
            RecordRows.AddInsertParameters(rows.Parameters, _logId, batch.Records);
            insert.BatchCommands.Add(rows);
            insert.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            AddFlush(insert.BatchCommands, batch);
            insert.ExecuteNonQuery();
        }
        LockedCommits++;
        Committed(connection, end);
    }

    // The batch's records as stored, when its transaction committed; null when none of them exists.
    private async Task<SequencedBatch?> FindCommittedAsync(SequencedBatch attempted)
    {
        var ids = attempted.Records.Select(r => r.Id).ToArray();
        var stored = new Dictionary<Guid, AuditRecord>(ids.Length);
        await using (var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false))
        {
            await using (var command = new NpgsqlCommand(
                $"SELECT {RecordRows.Columns} FROM auditgen.records WHERE log_id = $1 AND id = ANY($2) ORDER BY sequence", connection))
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
                command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
                await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    var record = RecordRows.Read(reader);
                    stored[record.Id] = record;
                }
            }
            if (stored.Count == 0)
                return null;
            // Visible is not yet durable: the batch's transaction committed asynchronously. Flush through it first.
            await using var flush = new NpgsqlBatch(connection);
            AddFlush(flush.BatchCommands, attempted);
            await flush.ExecuteNonQueryAsync().ConfigureAwait(false);
            FlushedOnRecovery++;
        }
        if (stored.Count != ids.Length)
            throw new AuditStoreCorruptException(
                $"PostgreSQL log '{_logId}' holds {stored.Count} of the {ids.Length} records of one group commit; a transaction commits all or none.");

        // The commit that happened may have been an earlier attempt, linked onto another tail: acknowledge what is stored.
        var committed = new SequencedBatch();
        for (var i = 0; i < attempted.Records.Count; i++)
            committed.Add(stored[attempted.Records[i].Id], attempted.Completions[i]);
        return committed;
    }

    private async ValueTask DropConnectionAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is null)
            return;
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (DatabaseFailures.IsDatabaseFailure(e))
        {
            // A broken connection may fail to close; it is discarded either way.
        }
    }

    /// <inheritdoc />
    /// <remarks>Checkpoints of PostgreSQL logs come with the Merkle tree's store for PostgreSQL (not yet).</remarks>
    public bool SignsCheckpoints => false;

    /// <inheritdoc />
    public string Name => $"postgresql:{_logId}";

    /// <inheritdoc />
    public TimeSpan? WakeInterval => null;

    /// <inheritdoc />
    public ValueTask AfterCommitAsync(SequencedBatch batch, List<TaskCompletionSource>? flushes)
    {
        // Committed is visible: PostgreSQL is the query store too.
        flushes?.ForEach(f => f.TrySetResult());
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public string DescribeFault(Exception cause) =>
        $"The audit trail is faulted: its writer for PostgreSQL log '{_logId}' failed ({cause.Message}). " +
        "No further records are accepted; records acknowledged before this were committed.";

    /// <inheritdoc />
    public void Complete()
    {
        var connection = _connection;
        _connection = null;
        connection?.Dispose();
    }
}
