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

/// <summary>Points in a group commit where tests inject failures (a killed backend, a lost COMMIT answer).</summary>
internal enum CommitStage
{
    /// <summary>The batch is linked onto the tail it expects and about to be sent (under the lock, in the locked path); nothing inserted yet.</summary>
    BeforeInsert,
    /// <summary>COMMIT and the WAL flush have been answered: the batch is durable, nobody acknowledged yet.</summary>
    AfterCommit,
}

/// <summary>
/// The end of a log as one statement saw it: the chain's tail, the Merkle tree's right edge at that size (positions to
/// hashes; complete when it has one node per set bit of the size), and the sequence of the latest checkpoint record.
/// </summary>
internal sealed record LogTail(ChainTail Chain, Dictionary<long, byte[]> Edge, long? LatestCheckpointSequence)
{
    /// <summary>An empty log.</summary>
    public static LogTail Empty => new(ChainTail.Genesis, [], null);

    /// <summary>Whether the tree holds every record of the chain (a log written before schema version 2 may lag).</summary>
    public bool TreeIsLevel => Edge.Count == System.Numerics.BitOperations.PopCount((ulong)Chain.NextSequence);
}

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
internal sealed class PostgreSqlCommitSink : IGroupCommitSink
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

    private string HeldLockTimeoutMilliseconds =>
        Math.Max(1, (long)HeldLockTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

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
            return new SequencedBatch();

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

    // One round trip (see the class remarks). False when another writer had moved the tail: nothing was written,
    // `actual` is the tail as it is now, and this session holds the log's lock (TryAtHeldTail or Unlock releases it).
    private bool TryAtExpectedTail(NpgsqlConnection connection, GroupCommit commit, SequencedBatch batch, LogTail expected, out LogTail actual)
    {
        actual = expected;
        var nodes = new EdgeNodeStore(expected.Chain.NextSequence, expected.Edge);
        var end = Link(commit, expected.Chain, new MerkleTree(nodes), batch);
        if (batch.Records.Count == 0)
            return true;
        if (TestHook is { } before)
            before(CommitStage.BeforeInsert, connection).AsTask().GetAwaiter().GetResult();
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

    // The database links only plain appends: a commit that may sign a checkpoint (whose root the writer signs) is linked
    // by the writer. The size is this writer's estimate; other writers' records only make a checkpoint due later.
    private bool MayLinkInDatabase(GroupCommit commit) =>
        commit.Appends.Count > 0 &&
        (_checkpoints is not { } checkpoints ||
         commit.CheckpointRequests.Count == 0 && !commit.Closing &&
         !checkpoints.IsDue((_lastEnd ?? 0) + commit.Appends.Count, _time.GetUtcNow(), requested: false, closing: false));

    // One round trip in which the database links the batch (see GroupCommitStatements.InsertLinkedBatchSql) onto the
    // tail under the lock: the lock is held only while the server inserts, however often other writers move the tail.
    // The batch holds the records with placeholders until the answer comes (the ids are what recovery looks up); then
    // every hash is recomputed here from the same bytes and must be the database's, and the records must chain onto one
    // another, before anyone is acknowledged.
    private void CommitLinkedByDatabase(NpgsqlConnection connection, GroupCommit commit, SequencedBatch batch)
    {
        var cuts = new List<CanonicalCut>(commit.Appends.Count);
        for (var i = 0; i < commit.Appends.Count; i++)
        {
            var request = commit.Appends[i];
            var completion = request.Completion!;
            if (completion.Task.IsCompleted)
                continue;
            var stamp = _stamps[i];
            var unlinked = SequencedRecord.From(request.Entry!, request.CanonicalDetails, 0, stamp.Id, stamp.Timestamp, HashHex.Zero);
            try
            {
                cuts.Add(CanonicalCut.Of(unlinked, _cutBuffer));
            }
            catch (ArgumentException e)
            {
                // The entry itself cannot be encoded (as in ChainSequencer.Link): only this caller fails.
                completion.TrySetException(e);
                continue;
            }
            batch.Add(unlinked with { Hash = HashHex.Zero }, completion);
        }
        if (batch.Records.Count == 0)
            return;
        if (TestHook is { } before)
            before(CommitStage.BeforeInsert, connection).AsTask().GetAwaiter().GetResult();

        var linked = new List<(long Sequence, string PreviousHash, string Hash)>(batch.Records.Count);
        using (var send = new NpgsqlBatch(connection))
        {
            var commands = send.BatchCommands;
            commands.Add(new NpgsqlBatchCommand(BeginSql));
            commands.Add(LogCommand(AsyncCommitAndLockSql));
            var insert = new NpgsqlBatchCommand(GroupCommitStatements.InsertLinkedBatchSql);
            RecordRows.AddColumnParameters(insert.Parameters, _logId, batch.Records);
            insert.Parameters.Add(ByteaArray(cuts.Select(c => c.Before)));
            insert.Parameters.Add(ByteaArray(cuts.Select(c => c.Between)));
            insert.Parameters.Add(ByteaArray(cuts.Select(c => c.After)));
            insert.Parameters.Add(GroupCommitStatements.MarkerParameter(batch));
            commands.Add(insert);
            commands.Add(new NpgsqlBatchCommand("COMMIT"));
            var unlock = LogCommand(GroupCommitStatements.UnlockIfCommittedSql);
            unlock.Parameters.Add(GroupCommitStatements.MarkerParameter(batch));
            commands.Add(unlock);
            AddFlush(commands, batch);
            _mayHoldLock = true;
            using var reader = send.ExecuteReader();
            do
            {
                if (reader.FieldCount != 5 || reader.GetName(0) != "ord")
                    continue;
                while (reader.Read())
                    linked.Add((reader.GetInt64(1), reader.GetString(2), reader.GetString(3)));
                break;
            }
            while (reader.NextResult());
            ReadToEnd(reader);
        }
        _mayHoldLock = false;

        var records = Relink(batch, cuts, linked);
        var completions = batch.Completions.ToList();
        batch.Clear();
        for (var i = 0; i < records.Count; i++)
            batch.Add(records[i], completions[i]);
        DatabaseLinkedCommits++;
        CountCommit("database_linked");
        // The tail was where this writer left it: nobody else appended in between, so its own linking would have held.
        _contended = records[0].Sequence == _lastEnd ? _contended - 1 : ContendedCommits;
        _lastEnd = records[^1].Sequence + 1;
        // The writer did not see the tree's edge; its next commit of its own reads the tail first.
        _lastTail = null;
        if (TestHook is { } after)
            after(CommitStage.AfterCommit, connection).AsTask().GetAwaiter().GetResult();
    }

    private static void CountCommit(string path) =>
        AuditGen.Telemetry.AuditGenMetrics.PostgreSqlCommits.Add(1, new KeyValuePair<string, object?>(AuditGen.Telemetry.AuditGenMetrics.CommitPathTag, path));

    private static NpgsqlParameter<byte[][]> ByteaArray(IEnumerable<byte[]> values) =>
        new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bytea, TypedValue = [.. values] };

    // The records as the database linked them, each hash recomputed from its bytes. A disagreement means the database
    // did not chain what this writer sent: the batch is committed, but nobody is acknowledged and the writer stops.
    private List<AuditRecord> Relink(SequencedBatch placeholders, List<CanonicalCut> cuts, List<(long Sequence, string PreviousHash, string Hash)> linked)
    {
        if (linked.Count != placeholders.Records.Count)
            throw new AuditStoreCorruptException(
                $"PostgreSQL log '{_logId}' linked {linked.Count} of the {placeholders.Records.Count} records of one group commit.");
        var records = new List<AuditRecord>(linked.Count);
        Span<byte> previous = stackalloc byte[ChainHasher.HashSize];
        Span<byte> leaf = stackalloc byte[ChainHasher.HashSize];
        Span<byte> hash = stackalloc byte[ChainHasher.HashSize];
        for (var i = 0; i < linked.Count; i++)
        {
            var (sequence, previousHash, claimed) = linked[i];
            var chains = i == 0 || (sequence == linked[i - 1].Sequence + 1 && previousHash == linked[i - 1].Hash);
            if (!chains || !HashHex.TryDecode(previousHash, previous))
                throw new AuditStoreCorruptException(
                    $"PostgreSQL log '{_logId}' linked record {i} of a group commit at sequence {sequence} after '{previousHash}', which does not follow the record before it.");
            ChainHasher.ComputeLeaf(cuts[i].Join(previousHash, sequence), leaf);
            ChainHasher.ComputeChain(previous, leaf, hash);
            var computed = HashHex.Encode(hash);
            if (computed != claimed)
                throw new AuditStoreCorruptException(
                    $"PostgreSQL log '{_logId}' linked the record at sequence {sequence} with hash {claimed}, but its bytes give {computed}: the database did not chain what this writer sent.");
            records.Add(placeholders.Records[i] with { Sequence = sequence, PreviousHash = previousHash, Hash = computed });
        }
        return records;
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
        if (TestHook is { } before)
            before(CommitStage.BeforeInsert, connection).AsTask().GetAwaiter().GetResult();
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
        if (TestHook is { } after)
            after(CommitStage.AfterCommit, connection).AsTask().GetAwaiter().GetResult();
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

        if (TestHook is { } before)
            before(CommitStage.BeforeInsert, connection).AsTask().GetAwaiter().GetResult();

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
            await using var flush = new NpgsqlCommand(GroupCommitStatements.FlushSql, connection);
            await flush.ExecuteNonQueryAsync().ConfigureAwait(false);
            FlushedOnRecovery++;
        }
        if (stored.Count != ids.Length)
            throw new AuditStoreCorruptException(
                $"PostgreSQL log '{_logId}' holds {stored.Count} of the {ids.Length} records of one group commit; a transaction commits all or none.");

        // The commit that happened may have been an earlier attempt, linked onto another tail (or by the database):
        // acknowledge what is stored, once each record's hash is the one its content gives.
        foreach (var record in stored.Values)
        {
            if (ChainHasher.ComputeRecordHash(record) != record.Hash)
                throw new AuditStoreCorruptException(
                    $"The record at sequence {record.Sequence} of PostgreSQL log '{_logId}', found committed after a lost answer, does not hash to its stored hash.");
        }
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
            // A failed attempt may have left the session holding the log's lock (or an open transaction holding it): a
            // connection that still works releases it before it goes back to the pool; a broken one is closed, and the
            // server releases the locks of a closed session itself.
            if (_mayHoldLock && connection.FullState == System.Data.ConnectionState.Open)
            {
                await using var release = new NpgsqlCommand(AdvisoryLocks.ReleaseAllSql, connection);
                await release.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (DatabaseFailures.IsDatabaseFailure(e))
        {
            // The connection broke too: closing it below ends the session, and with it its locks.
        }
        _mayHoldLock = false;
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
    public bool SignsCheckpoints => _checkpoints is not null;

    /// <inheritdoc />
    public string Name => $"postgresql:{_logId}";

    /// <inheritdoc />
    public TimeSpan? WakeInterval => _checkpoints?.Interval;

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
