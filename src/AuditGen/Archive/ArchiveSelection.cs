namespace AuditGen.Archive;

/// <summary>
/// What to archive and why. <paramref name="Sequences"/> must be ascending and distinct; they need not be contiguous
/// (records of different domains expire at different times, and held ones stay). <paramref name="RetentionDetailsJson"/>
/// is a JSON object (the retention run's policies, counts, holds) embedded in the <c>retention_applied</c> record.
/// </summary>
/// <param name="Sequences">The records to archive and remove from the live store, ascending and distinct.</param>
/// <param name="RetentionDetailsJson">A JSON object saying why; embedded as <c>details.retention</c> of <c>retention_applied</c>.</param>
public sealed record ArchiveSelection(IReadOnlyList<long> Sequences, string RetentionDetailsJson);

/// <summary>What <c>ArchiveAsync</c> did.</summary>
/// <param name="Manifest">The published manifest of the segment holding the records.</param>
/// <param name="ArchiveCreated">The <c>archive_created</c> record (appended once the segment verified).</param>
/// <param name="RetentionApplied">The <c>retention_applied</c> record (appended once the records' content was removed).</param>
/// <param name="Resumed">An earlier, interrupted run of the same selection was found and completed (nothing was written twice).</param>
public sealed record ArchiveOutcome(ArchiveManifest Manifest, AuditRecord ArchiveCreated, AuditRecord RetentionApplied, bool Resumed);
