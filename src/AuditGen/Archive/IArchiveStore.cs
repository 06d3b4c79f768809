using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Archive;

/// <summary>
/// What <see cref="ArchiveRun"/> needs from a store to archive records: where they are, how to copy them out, and how
/// to replace them by stubs. Implemented by <see cref="LiteDbAuditTrail"/> and the PostgreSQL trail; everything else of
/// an archive run (resuming, the segment's manifest, reading it back, the lifecycle records) is store-independent.
/// </summary>
internal interface IArchiveStore
{
    /// <summary>The store for messages, e.g. <c>'/data/audit.db'</c> or <c>PostgreSQL log 'tenant-7'</c>.</summary>
    string ArchiveStoreName { get; }

    /// <summary>The trail's options (its clock stamps the manifest).</summary>
    AuditTrailOptions Options { get; }

    /// <summary>Appends a lifecycle record (durable when the task completes).</summary>
    ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Called at each step boundary (crash tests stop there).</summary>
    void ArchiveStep(string name);

    /// <summary>Makes pending appends durable and returns how many records the chain holds.</summary>
    Task<long> PrepareArchiveAsync(CancellationToken cancellationToken);

    /// <summary>The <c>archive_created</c> and <c>retention_applied</c> records naming <paramref name="segmentId"/>, if any.</summary>
    Task<(AuditRecord? Created, AuditRecord? Applied)> FindArchiveRecordsAsync(string segmentId, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the selected records, checks each may be archived (not a lifecycle record, not archived elsewhere, hashes to
    /// its stored hash) and returns their leaves and hashes. Stubs of <paramref name="segmentId"/> are accepted only when
    /// <paramref name="resuming"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A selected record may not be archived.</exception>
    /// <exception cref="AuditStoreCorruptException">A selected record is missing or does not hash to its stored hash.</exception>
    Task<ArchiveScan> ScanArchiveSelectionAsync(IReadOnlyList<long> sequences, string segmentId, bool resuming, CancellationToken cancellationToken);

    /// <summary>Writes each scanned record's full canonical form followed by <c>\n</c> to <paramref name="destination"/>, in order; reports records written.</summary>
    Task WriteArchivedRecordsAsync(ArchiveScan scan, Stream destination, IProgress<long>? progress, CancellationToken cancellationToken);

    /// <summary>The Merkle tree's leaf of each scanned sequence, in order.</summary>
    Task<IReadOnlyList<byte[]>> ReadTreeLeavesAsync(ArchiveScan scan, CancellationToken cancellationToken);

    /// <summary>A signed checkpoint whose tree covers <paramref name="sequence"/> (signing one if needed), or null when the trail signs none.</summary>
    Task<SignedCheckpoint?> CheckpointCoveringAsync(long sequence, CancellationToken cancellationToken);

    /// <summary>Replaces the scanned records by stubs of the segment <paramref name="manifest"/> describes; reports progress from 2×count to 3×count.</summary>
    Task PruneArchivedAsync(ArchiveScan scan, ArchiveManifest manifest, string location, IProgress<long>? progress, CancellationToken cancellationToken);
}

/// <summary>The selected records as a store found them: sequence, Merkle leaf and chain hash each, and which are stubs already.</summary>
internal class ArchiveScan
{
    public required string SegmentId { get; init; }
    public required string LogId { get; init; }
    public required string FirstPreviousHash { get; init; }
    public required IReadOnlyList<long> Sequences { get; init; }
    public required List<byte[]> Leaves { get; init; }
    public required List<byte[]> Hashes { get; init; }
    public required List<bool> AlreadyStub { get; init; }

    public int Count => Sequences.Count;
}

/// <summary>A trail that can archive and prune records (both stores); what retention orchestration calls.</summary>
internal interface IArchivingTrail : IAuditTrail
{
    /// <summary>The trail's <c>ArchiveAsync</c>.</summary>
    Task<ArchiveOutcome> ArchiveAsync(ArchiveSelection selection, IArchiveTarget target, IProgress<long>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>How many records the trail's Merkle tree covers (every durable record).</summary>
    ValueTask<long> GetArchivingTreeSizeAsync(CancellationToken cancellationToken);
}
