using AuditGen.Archive;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Storage;
using AuditGen.Telemetry;
using LiteDB;

namespace AuditGen;

public sealed partial class LiteDbAuditTrail
{
    /// <summary>
    /// Verifies the archives in <paramref name="archives"/> and the live trail as one continuous history: the live trail
    /// exactly as <see cref="VerifyAsync(SignedCheckpoint?, IProgress{long}?, CancellationToken)"/> does (chain failures
    /// come first), then every segment named by an <c>archive_created</c> or <c>retention_applied</c> record must exist,
    /// match its manifest (SHA-256, count, Merkle root) and the record, and every pruned stub must be filled by exactly
    /// one archived record whose leaf and hash are the ones the live chain links. A missing or altered segment is named
    /// (<see cref="VerificationResult.ArchiveSegment"/>) with the first broken sequence and why
    /// (<see cref="VerificationFailure.ArchiveMissing"/>, <see cref="VerificationFailure.ArchiveCorrupt"/>,
    /// <see cref="VerificationFailure.ArchiveMismatch"/>).
    /// </summary>
    /// <param name="archives">Where the segments are, e.g. <see cref="FolderArchiveTarget"/>.</param>
    /// <param name="checkpoint">Optionally, a signed checkpoint to verify the trail against, as in <see cref="VerifyAsync(SignedCheckpoint?, IProgress{long}?, CancellationToken)"/>.</param>
    /// <param name="progress">Receives the number of live records checked so far.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <exception cref="ArchiveTargetException">The archive target cannot be read.</exception>
    public async ValueTask<VerificationResult> VerifyWithArchivesAsync(IArchiveTarget archives, SignedCheckpoint? checkpoint = null, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archives);
        ThrowIfDisposed();
        // Not while this process archives: the records naming segments are read before the pass that meets their stubs.
        await _archiveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        VerificationResult live;
        ArchiveVerifier archive;
        try
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            archive = await ArchiveVerifier.PrepareAsync(archives, ReadArchiveRecords(), cancellationToken).ConfigureAwait(false);
            try
            {
                live = await Task.Run(() => new TrailVerification(this, checkpoint is null ? null : new CheckpointVerifier(checkpoint), progress, cancellationToken)
                {
                    LinkSeen = archive.OnLink,
                }.Run(), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                archive.Dispose();
                throw;
            }
        }
        finally
        {
            _archiveGate.Release();
        }
        using var _ = archive;
        var result = archive.Finish(live);
        AuditGenTelemetry.VerificationCompleted(result);
        return result;
    }

    // The log's archive_created and retention_applied records in sequence order (the action index finds them; a reader
    // also looks at journal records the query store has not indexed yet).
    private List<AuditRecord> ReadArchiveRecords()
    {
        var found = new SortedDictionary<long, AuditRecord>();
        foreach (var action in new[] { AuditAction.ArchiveCreated, AuditAction.RetentionApplied })
        {
            foreach (var document in _records.Query().Where(Query.EQ("action", action.ToWireName())).ToEnumerable())
            {
                var record = LiteDbRecordMapping.FromDocument(document);
                if (record.ResourceType == ArchiveRecords.ResourceType && record.ActorType == ActorType.System)
                    found[record.Sequence] = record;
            }
        }
        if (_writer is null)
        {
            foreach (var record in ReadJournalRecords(ReadStoreEnd()))
                if (record.Action is AuditAction.ArchiveCreated or AuditAction.RetentionApplied && record.ResourceType == ArchiveRecords.ResourceType)
                    found[record.Sequence] = record;
        }
        return [.. found.Values];
    }
}
