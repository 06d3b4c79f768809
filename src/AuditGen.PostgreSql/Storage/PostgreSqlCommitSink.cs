using System.Diagnostics;
using AuditGen.Canonical;
using AuditGen.Erasure;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Integrity.Merkle;
using AuditGen.PostgreSql.Schema;
using AuditGen.Storage;
using Npgsql;

namespace AuditGen.PostgreSql.Storage;

/// <summary>
/// The PostgreSQL durability point for one process's writer. A group commit is ONE round trip on one connection, which
/// holds the log's lock only while the server inserts, unless another writer moved the tail:
/// <c>BEGIN</c>; <c>synchronous_commit = off</c> for this transaction; <c>pg_advisory_lock</c> on the log (session-level);
/// one statement (<see cref="GroupCommitStatements.InsertBatchSql"/>) that inserts the batch's records, linked by the shared
/// <see cref="ChainSequencer"/> onto the tail this writer expects, and their Merkle tree nodes (computed from the right
/// edge of the tree at that tail), but nothing unless that still is the tail (checked under the lock), and marks the
/// session when they went in; <c>COMMIT</c>, which does not wait for the WAL flush; the lock released if the batch went in
/// (after the commit, so the next holder sees it); a logical message, only if the batch went in, in the implicit
/// transaction that ends the round trip, whose synchronous commit flushes the WAL up to and including the batch; then,
/// only after a miss, the tail as it now is. The statements after COMMIT read the session's mark, never the records, so
/// a commit costs the same on a log of any size whatever plans the server cached.
/// A due <c>checkpoint_signed</c> record goes in with the batch (the shared <see cref="CheckpointPublisher"/> decides and
/// signs, exactly as in the LiteDB trail): one chain and one tree per log. Writers in other processes or on other
/// machines take the same lock, so the chain never forks; another writer may link onto the batch before it is flushed,
/// but its own flush covers this one (WAL is flushed in order), so nothing anyone acknowledges depends on a record that
/// may vanish. When the expected tail was stale, nothing was written, the session still holds the lock, and the answer
/// carries the real tail, which therefore cannot move again: the batch is re-linked onto it and sent in a second round
/// trip that commits, releases the lock and flushes. So a group commit takes one round trip, or two after a miss, never
/// more; the lock is held across the client's turnaround only after a miss. After a miss the writer has the database
/// link its next batches (<see cref="GroupCommitStatements.InsertLinkedBatchSql"/>, one round trip, the lock held only
/// while the server runs it) and recomputes every hash the database returns before it acknowledges anyone, until
/// <see cref="ContendedCommits"/> of them found the tail where it had left it. A dropped connection ends its session and
/// with it the lock; a live one that failed releases it before it is returned to the pool.
/// <para>
/// Failures: the connection is dropped, and before anything is retried the sink asks a fresh connection whether the
/// batch's records exist (by their ids, which stay the same across attempts, as do their timestamps): if they do, the
/// commit happened, the WAL is flushed through them on that connection, and the batch is acknowledged with the stored
/// records; if not, nothing of it exists (one transaction) and a transient failure is retried against the new tail. So a
/// record is never lost after its acknowledgement and never written twice; the unique index on (log_id, id) backs that
/// up. What cannot be decided within <see cref="RetryTimeout"/> rejects the batch (its callers fail; the next batch starts afresh).
/// </para>
/// </summary>
internal sealed partial class PostgreSqlCommitSink : IGroupCommitSink
{
    private const string BeginSql = "BEGIN ISOLATION LEVEL READ COMMITTED";

    // This transaction's commit does not wait for the WAL flush, so the lock is released at once; the flush after it waits.
    private const string AsyncCommitSql = "SELECT set_config('synchronous_commit', 'off', true)";

    // The same, and the log's lock for the session, in one statement (the one-trip attempt's first two steps).
    private const string AsyncCommitAndLockSql =
        "SELECT set_config('synchronous_commit', 'off', true), " + AdvisoryLocks.LockLogForSessionCall;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _logId;
    private readonly ChainSequencer _sequencer;
    private readonly TimeProvider _time;
    private readonly List<RecordStamp> _stamps = [];
    private readonly CheckpointPublisher? _checkpoints;
    private readonly VaultCommit? _vault;
    private NpgsqlConnection? _connection;
    // When this writer's last group commit finished (TimeProvider timestamp): its connection's idle time.
    private long _lastUsed;
    // Whether the writer's session may hold the log's lock or an open transaction (an attempt was sent and has not
    // been seen to release it): then the connection is cleaned before it goes back to the pool.
    private bool _mayHoldLock;

    // The tail as this writer last saw it (after its own commit or a miss); the expected tail of its next attempt.
    private LogTail? _lastTail;
    // Where this writer's last commit ended (null before its first).
    private long? _lastEnd;
    // Commits left to have the database link (after a miss): other writers are appending to the log.
    private int _contended;
    private readonly System.Buffers.ArrayBufferWriter<byte> _cutBuffer = new(2048);
    // The checkpoint record the publisher's Latest came from (another writer's may be newer).
    private long? _knownCheckpointSequence;
    // Per group commit: the checkpoint record's stamp (the same in every attempt), and what the last attempt signed.
    private RecordStamp _checkpointStamp;
    private SignedCheckpoint? _attemptSigned;

    public PostgreSqlCommitSink(NpgsqlDataSource dataSource, string logId, AuditTrailOptions options,
        CheckpointPublisher? checkpoints = null, long? latestCheckpointSequence = null, VaultCommit? vault = null)
    {
        _vault = vault;
        _dataSource = dataSource;
        _logId = logId;
        _time = options.TimeProvider;
        _sequencer = new ChainSequencer(options.TimeProvider);
        _checkpoints = checkpoints;
        _knownCheckpointSequence = latestCheckpointSequence;
    }

    /// <summary>The latest checkpoint this writer knows of (its own, or another writer's it saw at a tail).</summary>
    public SignedCheckpoint? LatestCheckpoint => _checkpoints?.Latest;

    /// <summary>How long one group commit may keep retrying transient failures before its callers fail. Default 30 s.</summary>
    public TimeSpan RetryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the server lets this writer's session stay idle while it holds the log's lock across a client
    /// turnaround (after a miss, or in the locked path) before it ends the session, releasing the lock for the log's
    /// other writers; the stalled writer then finds its connection gone and retries. Default 10 s.
    /// </summary>
    public TimeSpan HeldLockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the writer's connection may go unused before the writer gives it back to its data source's pool (at
    /// its next wake-up, <see cref="WakeInterval"/>); the next commit takes one again. Default 30 s.
    /// </summary>
    public TimeSpan IdleConnectionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    private string HeldLockTimeoutMilliseconds =>
        Math.Max(1, (long)HeldLockTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Failure injection for tests; runs at each <see cref="CommitStage"/> with the writer's connection.</summary>
    internal Func<CommitStage, NpgsqlConnection, ValueTask>? TestHook { get; set; }

    // The test hook at `stage`, on the writer's thread (the commit paths are synchronous).
    private void AtStage(CommitStage stage, NpgsqlConnection connection)
    {
        if (TestHook is { } hook)
            hook(stage, connection).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Group commits retried after a failure (for tests and diagnostics).</summary>
    public int Retries { get; private set; }

    /// <summary>Group commits found committed after their answer was lost.</summary>
    public int RecoveredCommits { get; private set; }

    /// <summary>Group commits made in one round trip onto the tail this writer expected.</summary>
    public int OneTripCommits { get; private set; }

    /// <summary>Recovered group commits whose WAL flush was made on the recovery connection.</summary>
    public int FlushedOnRecovery { get; private set; }

    /// <summary>One-trip attempts that found the tail moved by another writer (nothing was written; the batch was re-linked under the lock).</summary>
    public int TailMisses { get; private set; }

    /// <summary>Group commits linked onto a tail read under the log's lock (after a miss, or for a tree that lags the chain).</summary>
    public int LockedCommits { get; private set; }

    /// <summary>Group commits the database linked onto the tail under the lock, while other writers kept moving it.</summary>
    public int DatabaseLinkedCommits { get; private set; }

    /// <summary>
    /// After a miss, how many of this writer's next group commits the database links, as long as the tail keeps moving
    /// between them; each that finds the tail where this writer left it counts down. Default 16; 0 turns it off.
    /// </summary>
    public int ContendedCommits { get; set; } = 16;

    /// <inheritdoc />
    public async ValueTask<SequencedBatch> CommitAsync(GroupCommit commit)
    {
        // --- Sealed values, part 1 of 2 (VaultCommit): subject keys are made durable before any record names them. ---
        if (_vault is null)
            VaultCommit.RefuseSealed(commit.Appends, Name);
        else
            commit = new GroupCommit(_vault.AssignKeys(commit.Appends), commit.CheckpointRequests, commit.Closing);

        var appends = commit.Appends;
        if (appends.Count == 0 && (_checkpoints is null || commit.CheckpointRequests.Count == 0 && !CheckpointMayBeDue(commit)))
        {
            // A wake-up with nothing to write: a connection unused for IdleConnectionTimeout goes back to the pool.
            if (_connection is not null && !_mayHoldLock && _time.GetElapsedTime(_lastUsed) >= IdleConnectionTimeout)
                await DropConnectionAsync().ConfigureAwait(false);
            return new SequencedBatch();
        }

        // Stamped once: every attempt links the same ids and times, so "did it commit?" can be asked by id.
        _stamps.Clear();
        for (var i = 0; i < appends.Count; i++)
            _stamps.Add(_sequencer.Stamp());
        if (_checkpoints is not null)
            _checkpointStamp = _sequencer.Stamp();

        // --- Sealed values, part 2 of 2: encrypted and fsynced under the stamped record ids ONCE, before the first
        // attempt, so before any COMMIT acknowledges anyone. Every attempt links the same ids; a batch that is finally
        // rejected leaves only ciphertext no record refers to. A vault failure escapes the retry loop and faults the
        // writer (a torn frame may be left in a payload file; reopening repairs it), so nothing of the batch is acknowledged.
        _vault?.WritePayloads(appends, _stamps);
        var latestBefore = _checkpoints?.Latest;
        var latestTimeBefore = _checkpoints?.LatestTime ?? default;

        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var batch = new SequencedBatch();
            Exception failure;
            try
            {
                _attemptSigned = null;
                _checkpoints?.Restore(latestBefore, latestTimeBefore);
                Attempt(commit, batch);
                return Finish(commit, batch);
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
                            CountCommit("recovered");
                            return Finish(commit, committed);
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

    private bool CheckpointMayBeDue(GroupCommit commit) =>
        _checkpoints is { } checkpoints && _lastTail is { } tail
            ? checkpoints.IsDue(tail.Chain.NextSequence, _time.GetUtcNow(), requested: false, commit.Closing)
            : _checkpoints is not null && commit.Closing;

    // The batch is durable: export its checkpoint and answer checkpoint requests (LiteDB's sink does the same).
    private SequencedBatch Finish(GroupCommit commit, SequencedBatch batch)
    {
        _lastUsed = _time.GetTimestamp();
        var signed = _attemptSigned;
        if (signed is not null)
        {
            _checkpoints!.ExportAndRelease(signed, commit.CheckpointRequests, $"PostgreSQL log '{_logId}'");
        }
        else if (commit.CheckpointRequests.Count > 0)
        {
            // Nothing new since the latest checkpoint (only its own record): that one is current.
            foreach (var waiter in commit.CheckpointRequests)
                waiter.TrySetResult(_checkpoints!.Latest!);
        }
        return batch;
    }

    // Synchronous on purpose: the writer's thread blocks in the socket read and resumes there, instead of hopping to
    // the thread pool twice per group commit.
    private void Attempt(GroupCommit commit, SequencedBatch batch)
    {
        var connection = _connection ??= _dataSource.OpenConnection();
        if (_contended > 0 && MayLinkInDatabase(commit))
        {
            CommitLinkedByDatabase(connection, commit, batch);
            return;
        }
        var expected = _lastTail ?? ReadTail(connection);
        if (!expected.TreeIsLevel)
        {
            CommitAtLockedTail(connection, commit, batch);
            return;
        }
        if (TryAtExpectedTail(connection, commit, batch, expected, out var actual))
            return;

        // Missed: this session still holds the log's lock, and `actual` was read under it, so it cannot move again.
        TailMisses++;
        _contended = ContendedCommits;
        batch.Clear();
        _attemptSigned = null;
        if (actual.TreeIsLevel && TryAtHeldTail(connection, commit, batch, actual))
            return;
        batch.Clear();
        _attemptSigned = null;
        Unlock(connection);
        CommitAtLockedTail(connection, commit, batch);
    }

    // Links the group commit onto `tail` (whose tree is `tree`): the appends, then a checkpoint when one is due.
    // Returns the tail after the last record.
    private ChainTail Link(GroupCommit commit, ChainTail tail, MerkleTree tree, SequencedBatch batch)
    {
        ChainLinkWriter addLeaf = (_, _, leaf, _) => tree.Append(leaf);
        var end = _sequencer.Link(commit.Appends, _stamps, tail, batch, addLeaf);
        if (_checkpoints is { } checkpoints)
        {
            var now = _time.GetUtcNow();
            if (checkpoints.IsDue(end.NextSequence, now, commit.CheckpointRequests.Count > 0, commit.Closing))
            {
                var signed = checkpoints.Sign(end.NextSequence, tree.Root(), now);
                var (entry, details) = CheckpointRecords.Entry(signed);
                // The checkpoint's own record has no caller: nobody awaits this completion.
                var record = new WriteRequest(entry, details, new TaskCompletionSource<AuditRecord>(TaskCreationOptions.RunContinuationsAsynchronously));
                end = _sequencer.Link([record], [_checkpointStamp], end, batch, addLeaf);
                _attemptSigned = signed;
            }
        }
        return end;
    }

    private static void CountCommit(string path) =>
        AuditGen.Telemetry.AuditGenMetrics.PostgreSqlCommits.Add(1, new KeyValuePair<string, object?>(AuditGen.Telemetry.AuditGenMetrics.CommitPathTag, path));

    // Through the last statement's answer, which comes after the implicit transaction's commit, i.e. the WAL flush: an
    // error of any statement surfaces here, before anyone is acknowledged.
    private static void ReadToEnd(NpgsqlDataReader reader)
    {
        while (reader.NextResult())
        {
        }
    }

    private void Unlock(NpgsqlConnection connection)
    {
        using var unlock = new NpgsqlBatch(connection);
        unlock.BatchCommands.Add(LogCommand(AdvisoryLocks.UnlockLogSql));
        unlock.BatchCommands.Add(new NpgsqlBatchCommand(GroupCommitStatements.ReleaseGuardSql));
        unlock.ExecuteNonQuery();
        _mayHoldLock = false;
    }

    private NpgsqlBatchCommand TailCommand()
    {
        var tail = new NpgsqlBatchCommand(TreeNodes.TailSql);
        tail.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
        return tail;
    }

    private NpgsqlBatchCommand LockLog() => LogCommand(AdvisoryLocks.LockLogSql);

    // A statement whose only parameter ($1) is the log id; callers may add more.
    private NpgsqlBatchCommand LogCommand(string sql)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
        return command;
    }

    // Outside a transaction block: the implicit transaction that ends the round trip commits synchronously.
    private static void AddFlush(NpgsqlBatchCommandCollection commands, SequencedBatch batch)
    {
        var flush = new NpgsqlBatchCommand(GroupCommitStatements.FlushIfCommittedSql);
        flush.Parameters.Add(GroupCommitStatements.MarkerParameter(batch));
        commands.Add(flush);
    }

    private void Committed(NpgsqlConnection connection, SequencedBatch batch, LogTail tail)
    {
        if (_attemptSigned is not null)
            _knownCheckpointSequence = batch.Records[^1].Sequence;
        _lastTail = tail;
        _lastEnd = tail.Chain.NextSequence;
        ObserveCheckpoints(connection, tail);
        AtStage(CommitStage.AfterCommit, connection);
    }

    // Another writer of the log signed a newer checkpoint: count from it, so N writers do not each sign every N records.
    private void ObserveCheckpoints(NpgsqlConnection connection, LogTail tail)
    {
        if (_checkpoints is not { } checkpoints || tail.LatestCheckpointSequence is not { } sequence || sequence <= (_knownCheckpointSequence ?? -1))
            return;
        _knownCheckpointSequence = sequence;
        using var command = new NpgsqlCommand(RecordRows.SelectBySequenceSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sequence });
        using var reader = command.ExecuteReader();
        if (!reader.Read())
            return;
        try
        {
            var record = RecordRows.Read(reader);
            var latest = CheckpointRecords.Read(record, verifier: null);
            if (latest.Checkpoint.Origin == checkpoints.Latest?.Checkpoint.Origin || checkpoints.Latest is null)
                checkpoints.Restore(latest, record.Timestamp);
        }
        catch (FormatException)
        {
            // A malformed checkpoint record is verification's to report; this writer keeps counting from its own.
        }
    }

    private LogTail ReadTail(NpgsqlConnection connection)
    {
        LogTail tail;
        using (var command = new NpgsqlCommand(TreeNodes.TailSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
            using var reader = command.ExecuteReader();
            tail = ReadTailResult(reader);
        }
        ObserveCheckpoints(connection, tail);
        return tail;
    }

    // The tail is the last result set of TreeNodes.TailSql (its first column is "kind"); no chain row: an empty log.
    private LogTail ReadTailResult(NpgsqlDataReader reader)
    {
        var tail = LogTail.Empty;
        do
        {
            if (reader.FieldCount != 4 || reader.GetName(0) != "kind")
                continue;
            var chain = ChainTail.Genesis;
            var edge = new Dictionary<long, byte[]>();
            long? checkpoint = null;
            while (reader.Read())
            {
                switch (reader.GetInt32(0))
                {
                    case 0:
                        var sequence = reader.GetInt64(1);
                        var hash = reader.GetString(2);
                        if (!AuditRecordCodec.IsHashHex(hash))
                            throw new AuditStoreCorruptException(
                                $"The tail of PostgreSQL log '{_logId}' (sequence {sequence}) has a stored hash that is not 64 lower-case hex digits; refusing to extend it.");
                        chain = new ChainTail(sequence + 1, hash);
                        break;
                    case 1:
                        edge[reader.GetInt64(1)] = reader.GetFieldValue<byte[]>(3);
                        break;
                    default:
                        checkpoint = reader.IsDBNull(1) ? null : reader.GetInt64(1);
                        break;
                }
            }
            tail = new LogTail(chain, edge, checkpoint);
        }
        while (reader.NextResult());
        return tail;
    }

    /// <inheritdoc />
    public bool SignsCheckpoints => _checkpoints is not null;

    /// <inheritdoc />
    public string Name => $"postgresql:{_logId}";

    /// <inheritdoc />
    /// <remarks>At most <see cref="IdleConnectionTimeout"/>, so an idle writer's connection goes back to the pool.</remarks>
    public TimeSpan? WakeInterval => _checkpoints?.Interval is { } interval && interval > TimeSpan.Zero && interval < IdleConnectionTimeout
        ? interval
        : IdleConnectionTimeout;

    /// <inheritdoc />
    public ValueTask AfterCommitAsync(SequencedBatch batch, List<TaskCompletionSource>? flushes)
    {
        // Committed is visible: PostgreSQL is the query store too.
        flushes?.ForEach(f => f.TrySetResult());
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public string DescribeFault(Exception cause) =>
        $"The audit trail is faulted: its writer for PostgreSQL log '{_logId}'{(_vault is null ? "" : $" or its sealed-value vault '{_vault.Vault.Location}'")} failed ({cause.Message}). " +
        "No further records are accepted; records acknowledged before this were committed.";

    /// <inheritdoc />
    /// <remarks>Also after a fault, which may have left the session holding the log's lock: released like a failed attempt's.</remarks>
    public void Complete() => DropConnectionAsync().AsTask().GetAwaiter().GetResult();
}
