using AuditGen.Integrity.Checkpoints;
using AuditGen.Telemetry;
using Microsoft.Extensions.Logging;

namespace AuditGen.Storage;

/// <summary>
/// The writer's checkpoint policy and state: when one is due (every N records, every T with new records, on request,
/// on close), signing it, and exporting it. Used only by the single writer.
/// </summary>
internal sealed class CheckpointPublisher(NoteSigner signer, string origin, CheckpointOptions options, ILogger? logger, DateTimeOffset openedAt)
{
    /// <summary>The latest checkpoint in the trail, if any.</summary>
    public SignedCheckpoint? Latest { get; private set; }

    /// <summary>When <see cref="Latest"/> was recorded (or the trail opened, before the first).</summary>
    public DateTimeOffset LatestTime { get; private set; } = openedAt;

    /// <summary>The timer interval that wakes an idle writer, if any.</summary>
    public TimeSpan? Interval => options.Interval;

    /// <summary>The signer's verifier key.</summary>
    public NoteVerifier Verifier => signer.Verifier;

    /// <summary>Sets the latest checkpoint found in the trail (on open, or when another writer of the log signed one), or forgets one that was not recorded.</summary>
    public void Restore(SignedCheckpoint? latest, DateTimeOffset recordedAt)
    {
        Latest = latest;
        LatestTime = recordedAt;
    }

    /// <summary>Records not yet covered, not counting the latest checkpoint's own record.</summary>
    public long Uncovered(long treeSize) => Latest is null ? treeSize : treeSize - Latest.Checkpoint.TreeSize - 1;

    /// <summary>Whether a checkpoint of <paramref name="treeSize"/> records should be signed now.</summary>
    public bool IsDue(long treeSize, DateTimeOffset now, bool requested, bool closing)
    {
        var uncovered = Uncovered(treeSize);
        if (requested && Latest is null)
            return true;
        if (uncovered <= 0)
            return false;
        return requested || closing
            || options.EveryRecords > 0 && uncovered >= options.EveryRecords
            || options.Interval is { } interval && now - LatestTime >= interval;
    }

    /// <summary>Signs the checkpoint of <paramref name="treeSize"/> records with root <paramref name="root"/>; it becomes <see cref="Latest"/>.</summary>
    public SignedCheckpoint Sign(long treeSize, byte[] root, DateTimeOffset now)
    {
        var signed = SignedCheckpoint.Sign(new Checkpoint(origin, treeSize, root), signer);
        Latest = signed;
        LatestTime = now;
        return signed;
    }

    /// <summary>
    /// Writes <paramref name="signed"/> to the export folder. A failure does not lose the checkpoint (its record is in the
    /// trail, and the next export rewrites the latest): it is logged and counted, and returned so a caller who asked for
    /// this checkpoint sees it.
    /// </summary>
    public Exception? Export(SignedCheckpoint signed)
    {
        if (options.ExportDirectory is not { } directory)
            return null;
        try
        {
            CheckpointExport.Write(directory, signed);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AuditGenMetrics.CheckpointExportFailures.Add(1);
            logger?.LogError(e, "The signed checkpoint of tree size {TreeSize} could not be exported to {Directory}; it is recorded in the trail and the next checkpoint exports the latest again.",
                signed.Checkpoint.TreeSize, directory);
            return e;
        }
    }

    /// <summary>
    /// Exports <paramref name="signed"/> (its record and every record it covers are durable) and completes the callers who
    /// asked for it: with the checkpoint, or with the export failure, naming <paramref name="store"/>.
    /// </summary>
    public void ExportAndRelease(SignedCheckpoint signed, List<TaskCompletionSource<SignedCheckpoint>> waiters, string store)
    {
        var exportFailure = Export(signed);
        foreach (var waiter in waiters)
        {
            if (exportFailure is null)
                waiter.TrySetResult(signed);
            else
                waiter.TrySetException(new AuditTrailException(
                    $"The checkpoint of tree size {signed.Checkpoint.TreeSize} was signed and recorded in {store}, but could not be exported: {exportFailure.Message}", exportFailure));
        }
    }

    /// <summary>Re-exports <see cref="Latest"/> when the export folder's latest is older (a crash between record and export).</summary>
    public void CatchUpExport()
    {
        if (Latest is null || options.ExportDirectory is not { } directory)
            return;
        var exported = CheckpointExport.ReadLatest(directory);
        if (exported is null || !TryParse(exported, out var size) || size < Latest.Checkpoint.TreeSize)
            Export(Latest);
    }

    private static bool TryParse(string note, out long size)
    {
        try
        {
            size = SignedCheckpoint.Parse(note, null).Checkpoint.TreeSize;
            return true;
        }
        catch (FormatException)
        {
            size = -1;
            return false;
        }
    }
}
