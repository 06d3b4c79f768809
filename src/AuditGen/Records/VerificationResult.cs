namespace AuditGen;

/// <summary>Why a chain failed verification.</summary>
public enum VerificationFailure
{
    /// <summary>Nothing failed.</summary>
    None,
    /// <summary>A record's content no longer hashes to its stored <c>Hash</c>: a field was edited.</summary>
    HashMismatch,
    /// <summary>A record's <c>PreviousHash</c> is not the hash of the record before it.</summary>
    PreviousHashMismatch,
    /// <summary>A sequence number is missing: a record was deleted.</summary>
    Gap,
    /// <summary>Records are out of order or a sequence number repeats.</summary>
    Reorder,
    /// <summary>A stored record cannot be read back as a record (malformed field, unknown enum value).</summary>
    Malformed,
    /// <summary>The query store and the durable journal disagree about a record.</summary>
    JournalMismatch,
    /// <summary>
    /// Verified against a signed checkpoint: the trail holds fewer records than the checkpoint committed to, and does
    /// not end at a state the log signed: its tail was cut off. <see cref="VerificationResult.FirstBrokenSequence"/> is
    /// the first missing sequence.
    /// </summary>
    Truncated,
    /// <summary>
    /// Verified against a signed checkpoint: the trail's records do not hash to the checkpoint's root, or to the roots of
    /// the checkpoints it carries: the store was replaced by another (valid-looking) chain.
    /// <see cref="VerificationResult.FirstBrokenSequence"/> is the first sequence no authentic checkpoint vouches for.
    /// </summary>
    Swapped,
    /// <summary>
    /// Verified against a signed checkpoint: the trail is an earlier state of the same log (it ends with a checkpoint
    /// signed by the same key) but is older than the checkpoint: it was rolled back to an older copy.
    /// <see cref="VerificationResult.FirstBrokenSequence"/> is the first missing sequence.
    /// </summary>
    RolledBack,
    /// <summary>
    /// Verified with archives: an archive segment or manifest the log refers to is missing, or a pruned record's stub
    /// is filled by no archived record. <see cref="VerificationResult.ArchiveSegment"/> names the segment.
    /// </summary>
    ArchiveMissing,
    /// <summary>
    /// Verified with archives: a segment cannot be read as its manifest describes it (SHA-256, decompression, record
    /// count, Merkle root, a line that is not a record): its bytes were altered. <see cref="VerificationResult.ArchiveSegment"/> names it.
    /// </summary>
    ArchiveCorrupt,
    /// <summary>
    /// Verified with archives: an archived record is not the record the live log chained at its sequence (leaf or hash
    /// differ), is held twice, or a manifest disagrees with the log's <c>archive_created</c> record.
    /// <see cref="VerificationResult.ArchiveSegment"/> names the segment.
    /// </summary>
    ArchiveMismatch,
}

/// <summary>The outcome of verifying a trail.</summary>
public sealed record VerificationResult
{
    /// <summary><see langword="true"/> when every record checked is intact and correctly chained.</summary>
    public bool IsValid => Failure == VerificationFailure.None;
    /// <summary>How many records were checked.</summary>
    public required long RecordsChecked { get; init; }
    /// <summary>The sequence number (position) of the first broken record, or <see langword="null"/> when valid.</summary>
    public long? FirstBrokenSequence { get; init; }
    /// <summary>What broke first.</summary>
    public VerificationFailure Failure { get; init; }
    /// <summary>A human-readable explanation naming the record and the mismatch; <see langword="null"/> when valid.</summary>
    public string? Reason { get; init; }
    /// <summary>The hash of the last record checked (the chain head), or <see langword="null"/> for an empty trail.</summary>
    public string? HeadHash { get; init; }

    /// <summary>Verified with archives: the segment that failed (<see cref="VerificationFailure.ArchiveMissing"/>, <see cref="VerificationFailure.ArchiveCorrupt"/>, <see cref="VerificationFailure.ArchiveMismatch"/>).</summary>
    public string? ArchiveSegment { get; init; }

    /// <summary>Verified with archives: how many archived records were checked against the live log.</summary>
    public long ArchivedRecordsChecked { get; init; }

    /// <summary>The signed checkpoint the trail was verified against (and, when invalid, contradicts), if any.</summary>
    public AuditGen.Integrity.Checkpoints.SignedCheckpoint? Checkpoint { get; init; }
}
