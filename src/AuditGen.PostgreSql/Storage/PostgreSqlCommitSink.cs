using System.Diagnostics;
using AuditGen.PostgreSql.Schema;
using AuditGen.Storage;
using Npgsql;

namespace AuditGen.PostgreSql.Storage;

/// <summary>Points in a group commit where tests inject failures (a killed backend, a lost COMMIT answer).</summary>
internal enum CommitStage
{
    /// <summary>The tail lock is held and the tail read; nothing inserted yet.</summary>
    BeforeInsert,
    /// <summary>COMMIT has been answered: the batch is durable, nobody acknowledged yet.</summary>
    AfterCommit,
}

/// <summary>
/// The PostgreSQL durability point for one process's writer. Per group commit, on one connection:
/// round trip 1 — <c>BEGIN</c>, <c>pg_advisory_xact_lock</c> on the log, read the tail (last sequence and hash);
/// then the shared <see cref="ChainSequencer"/> links the batch onto that tail;
/// round trip 2 — one <c>INSERT … SELECT FROM unnest(…)</c> of the whole batch and <c>COMMIT</c>
/// (synchronous_commit on: the commit is durable when answered). Writers in other processes or on other machines take the
/// same lock, so the chain never forks. While this writer was the last to append, the next group commit is linked onto
/// the tail it left and sent in ONE round trip (BEGIN, lock, an INSERT that inserts nothing unless that is still the
/// tail under the lock, COMMIT); if another writer appended meanwhile, nothing was written and the two-trip path runs.
/// <para>
/// Failures: the connection is dropped, and before anything is retried the sink asks a fresh connection whether the
/// batch's records exist (by their ids, which stay the same across attempts, as do their timestamps): if they do, the
/// commit happened and the batch is acknowledged with the stored records; if not, nothing of it exists (one
/// transaction) and a transient failure is retried against the new tail. So a record is never lost after its
/// acknowledgement and never written twice; the unique index on (log_id, id) backs that up. What cannot be decided
/// within <see cref="RetryTimeout"/> rejects the batch (its callers fail; the next batch starts afresh).
/// </para>
/// </summary>
internal sealed class PostgreSqlCommitSink : IGroupCommitSink
{
    private const string TailSql =
        "SELECT sequence, hash FROM auditgen.records WHERE log_id = $1 ORDER BY sequence DESC LIMIT 1";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _logId;
    private readonly ChainSequencer _sequencer;
    private readonly List<RecordStamp> _stamps = [];
    private NpgsqlConnection? _connection;

    // The tail this writer's last commit left, and whether nobody else appended before that commit: then it is the
    // likely tail of the next one. Under contention the guess would mostly miss (a wasted round trip), so it waits
    // until a locked commit finds the log untouched since this writer's previous one.
    private ChainTail? _lastTail;
    private bool _uncontended;

    public PostgreSqlCommitSink(NpgsqlDataSource dataSource, string logId, AuditTrailOptions options)
    {
        _dataSource = dataSource;
        _logId = logId;
        _sequencer = new ChainSequencer(options.TimeProvider);
    }

    /// <summary>How long one group commit may keep retrying transient failures before its callers fail. Default 30 s.</summary>
    public TimeSpan RetryTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Failure injection for tests; runs at each <see cref="CommitStage"/> with the writer's connection.</summary>
    internal Func<CommitStage, NpgsqlConnection, ValueTask>? TestHook { get; set; }

    /// <summary>Group commits retried after a failure (for tests and diagnostics).</summary>
    public int Retries { get; private set; }

    /// <summary>Group commits found committed after their answer was lost.</summary>
    public int RecoveredCommits { get; private set; }

    /// <summary>Group commits made in one round trip onto the tail this writer left.</summary>
    public int OneTripCommits { get; private set; }

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
    // the thread pool twice per group commit while it holds the log's lock (which every other process waits on).
    private void Attempt(IReadOnlyList<WriteRequest> appends, SequencedBatch batch)
    {
        var connection = _connection ??= _dataSource.OpenConnection();
        if (_uncontended && _lastTail is { } guess)
        {
            if (TryAtExpectedTail(connection, appends, batch, guess))
                return;
            batch.Clear();
        }
        CommitAtLockedTail(connection, appends, batch);
    }

    // One round trip: BEGIN; the log's lock; an INSERT of the batch linked onto the tail this writer left, which
    // inserts nothing unless that still is the tail (checked by the INSERT's own snapshot, taken under the lock); COMMIT.
    // False when another writer appended in between: nothing was written, and the locked path takes over.
    private bool TryAtExpectedTail(NpgsqlConnection connection, IReadOnlyList<WriteRequest> appends, SequencedBatch batch, ChainTail guess)
    {
        _sequencer.Link(appends, _stamps, guess, batch, link: null);
        if (batch.Records.Count == 0)
            return true;
        using (var optimistic = new NpgsqlBatch(connection))
        {
            optimistic.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL READ COMMITTED"));
            var lockLog = new NpgsqlBatchCommand(AdvisoryLocks.LockLogSql);
            lockLog.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
            optimistic.BatchCommands.Add(lockLog);
            var rows = new NpgsqlBatchCommand(RecordRows.InsertSql +
                " WHERE coalesce((SELECT sequence FROM auditgen.records WHERE log_id = $1 ORDER BY sequence DESC LIMIT 1), -1) = $31" +
                " AND coalesce((SELECT hash FROM auditgen.records WHERE log_id = $1 ORDER BY sequence DESC LIMIT 1), '') = $32");
            RecordRows.AddInsertParameters(rows.Parameters, _logId, batch.Records);
            rows.Parameters.Add(new NpgsqlParameter<long> { TypedValue = guess.NextSequence - 1 });
            rows.Parameters.Add(new NpgsqlParameter<string> { TypedValue = guess.NextSequence == 0 ? "" : guess.PreviousHash });
            optimistic.BatchCommands.Add(rows);
            optimistic.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            optimistic.ExecuteNonQuery();
            if (rows.RecordsAffected == 0)
            {
                _uncontended = false;
                return false;
            }
        }
        OneTripCommits++;
        Committed(connection, batch);
        return true;
    }

    private void Committed(NpgsqlConnection connection, SequencedBatch batch)
    {
        var last = batch.Records[^1];
        _lastTail = new ChainTail(last.Sequence + 1, last.Hash);
        if (TestHook is { } after)
            after(CommitStage.AfterCommit, connection).AsTask().GetAwaiter().GetResult();
    }

    // Two round trips: BEGIN, the lock and the tail; then the batch linked onto that tail and COMMIT.
    private void CommitAtLockedTail(NpgsqlConnection connection, IReadOnlyList<WriteRequest> appends, SequencedBatch batch)
    {
        var tail = ChainTail.Genesis;
        using (var begin = new NpgsqlBatch(connection))
        {
            begin.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN ISOLATION LEVEL READ COMMITTED"));
            var lockLog = new NpgsqlBatchCommand(AdvisoryLocks.LockLogSql);
            lockLog.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
            begin.BatchCommands.Add(lockLog);
            var readTail = new NpgsqlBatchCommand(TailSql);
            readTail.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
            begin.BatchCommands.Add(readTail);
            using var reader = begin.ExecuteReader();
            // The tail is the result set with two columns (BEGIN has none, the lock one); it is read by a statement of its
            // own, after the lock is held, so its read-committed snapshot includes the previous holder's commit.
            do
            {
                if (reader.FieldCount != 2 || !reader.Read())
                    continue;
                var sequence = reader.GetInt64(0);
                var hash = reader.GetString(1);
                if (!AuditGen.Canonical.AuditRecordCodec.IsHashHex(hash))
                    throw new AuditStoreCorruptException(
                        $"The tail of PostgreSQL log '{_logId}' (sequence {sequence}) has a stored hash that is not 64 lower-case hex digits; refusing to extend it.");
                tail = new ChainTail(sequence + 1, hash);
            }
            while (reader.NextResult());
        }

        _uncontended = _lastTail == tail;
        if (TestHook is { } before)
            before(CommitStage.BeforeInsert, connection).AsTask().GetAwaiter().GetResult();

        _sequencer.Link(appends, _stamps, tail, batch, link: null);
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
            insert.ExecuteNonQuery();
        }
        Committed(connection, batch);
    }

    // The batch's records as stored, when its transaction committed; null when none of them exists.
    private async Task<SequencedBatch?> FindCommittedAsync(SequencedBatch attempted)
    {
        var ids = attempted.Records.Select(r => r.Id).ToArray();
        var stored = new Dictionary<Guid, AuditRecord>(ids.Length);
        await using (var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false))
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
