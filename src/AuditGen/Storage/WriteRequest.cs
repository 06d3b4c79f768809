using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Storage;

/// <summary>
/// One item in the writer's queue: an append (entry + its canonical details), a flush marker, a request to sign a
/// checkpoint now, or a timer tick (all members null) that wakes the writer to check whether a checkpoint is due (or
/// whether the sink has held something unused for too long).
/// </summary>
internal readonly struct WriteRequest
{
    /// <summary>An append.</summary>
    public WriteRequest(AuditEntry entry, string? canonicalDetails, TaskCompletionSource<AuditRecord> completion, long queuedAt = 0)
    {
        Entry = entry;
        CanonicalDetails = canonicalDetails;
        Completion = completion;
        Flush = null;
        QueuedAt = queuedAt;
        Checkpoint = null;
    }

    /// <summary>A flush marker: completed once everything queued before it is durable and indexed.</summary>
    public WriteRequest(TaskCompletionSource flush)
    {
        Entry = null;
        CanonicalDetails = null;
        Completion = null;
        Flush = flush;
        QueuedAt = 0;
        Checkpoint = null;
    }

    /// <summary>A request to sign a checkpoint now: completed with it once its record is durable.</summary>
    public WriteRequest(TaskCompletionSource<SignedCheckpoint> checkpoint)
    {
        Entry = null;
        CanonicalDetails = null;
        Completion = null;
        Flush = null;
        Checkpoint = checkpoint;
        QueuedAt = 0;
    }

    /// <summary>The checkpoint request's completion.</summary>
    public TaskCompletionSource<SignedCheckpoint>? Checkpoint { get; }

    /// <summary>The entry to append, or <see langword="null"/> for a flush marker.</summary>
    public AuditEntry? Entry { get; }

    /// <summary>The entry's details in RFC 8785 form (canonicalized on the caller's thread).</summary>
    public string? CanonicalDetails { get; }

    /// <summary>Completed with the record once it is durable.</summary>
    public TaskCompletionSource<AuditRecord>? Completion { get; }

    /// <summary>The <see cref="System.Diagnostics.Stopwatch"/> timestamp the append was queued at, or 0 when <c>auditgen.append.duration</c> was not listened to.</summary>
    public long QueuedAt { get; }

    /// <summary>The flush marker's completion.</summary>
    public TaskCompletionSource? Flush { get; }

    /// <summary>Fails whoever waits on this request.</summary>
    public void Fail(Exception exception)
    {
        Completion?.TrySetException(exception);
        Flush?.TrySetException(exception);
        Checkpoint?.TrySetException(exception);
    }
}

/// <summary>Acknowledged records handed from the writer to the query indexer, with the flush markers that follow them.</summary>
internal sealed class IndexBatch(List<AuditRecord> records, List<TaskCompletionSource>? flushes)
{
    /// <summary>Durable records in sequence order.</summary>
    public List<AuditRecord> Records { get; } = records;

    /// <summary>Flush markers to complete once <see cref="Records"/> are indexed.</summary>
    public List<TaskCompletionSource>? Flushes { get; } = flushes;
}
