using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Storage;

/// <summary>
/// Where a <see cref="GroupCommitWriter"/> makes its group commits durable: the LiteDB trail's fsynced journal, or a
/// database transaction. The writer owns the queue, the batching and the acknowledgements; a sink owns the chain's tail,
/// the durability point and what happens after it.
/// </summary>
internal interface IGroupCommitSink
{
    /// <summary>
    /// Sequences and hashes the appends of one group commit (with a <see cref="ChainSequencer"/>), makes them durable,
    /// and returns the durable records with their callers, in sequence order. An entry that cannot be encoded fails only
    /// its own caller and is left out. Nothing is acknowledged here: the writer does that once this returns.
    /// </summary>
    /// <exception cref="GroupCommitRejectedException">This group commit is not durable, but the sink can take the next one.</exception>
    /// <exception cref="Exception">Anything else faults the writer: no further appends are accepted.</exception>
    ValueTask<SequencedBatch> CommitAsync(GroupCommit commit);

    /// <summary>What the writer's queue is called in telemetry (the journal's path, the database log).</summary>
    string Name { get; }

    /// <summary>Whether the sink signs checkpoints (so the writer accepts checkpoint requests).</summary>
    bool SignsCheckpoints { get; }

    /// <summary>
    /// How often the writer should wake an idle sink (with an empty commit) to let it sign a due checkpoint or give back
    /// what it holds while idle (a database connection), or null for never.
    /// </summary>
    TimeSpan? WakeInterval { get; }

    /// <summary>
    /// Runs after the batch's callers were acknowledged; completes <paramref name="flushes"/> (markers queued with the
    /// batch) once the records are visible to queries.
    /// </summary>
    /// <exception cref="AuditTrailException">The store behind the durability point failed; the writer faults with this message.</exception>
    ValueTask AfterCommitAsync(SequencedBatch batch, List<TaskCompletionSource>? flushes);

    /// <summary>The message of the writer's fault when <see cref="CommitAsync"/> threw <paramref name="cause"/>.</summary>
    string DescribeFault(Exception cause);

    /// <summary>The writer has stopped: no more batches will come.</summary>
    void Complete();
}

/// <summary>
/// What the writer drained for one group commit: the appends in queue order, the checkpoint requests among them
/// (completed by the sink once the checkpoint's record is durable), and whether the writer is closing (a last commit
/// with no appends, so the sink can sign what its latest checkpoint does not cover).
/// </summary>
internal sealed class GroupCommit(IReadOnlyList<WriteRequest> appends, List<TaskCompletionSource<SignedCheckpoint>> checkpointRequests, bool closing)
{
    /// <summary>The appends, in queue order.</summary>
    public IReadOnlyList<WriteRequest> Appends { get; } = appends;

    /// <summary>Callers waiting for a checkpoint.</summary>
    public List<TaskCompletionSource<SignedCheckpoint>> CheckpointRequests { get; } = checkpointRequests;

    /// <summary>The writer's final commit, after its queue closed.</summary>
    public bool Closing { get; } = closing;
}

/// <summary>A group commit that did not become durable; its callers fail with <see cref="Exception.InnerException"/>'s story, the writer goes on.</summary>
internal sealed class GroupCommitRejectedException(string message, Exception cause) : Exception(message, cause);

/// <summary>The durable records of one group commit and the callers waiting for them, index for index.</summary>
internal sealed class SequencedBatch
{
    /// <summary>Records in sequence order.</summary>
    public List<AuditRecord> Records { get; } = [];

    /// <summary>The caller of each record.</summary>
    public List<TaskCompletionSource<AuditRecord>> Completions { get; } = [];

    /// <summary>Forgets every record (a sink re-links them after an attempt that wrote nothing).</summary>
    public void Clear()
    {
        Records.Clear();
        Completions.Clear();
    }

    /// <summary>Adds a record and its caller.</summary>
    public void Add(AuditRecord record, TaskCompletionSource<AuditRecord> completion)
    {
        Records.Add(record);
        Completions.Add(completion);
    }
}
