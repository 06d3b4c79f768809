namespace AuditGen.Retention;

/// <summary>What retention does with one record.</summary>
public enum RetentionDisposition
{
    /// <summary>Not expired yet: stays in the live trail.</summary>
    Kept,
    /// <summary>Expired and not held: archived (moved to a segment) by the next apply.</summary>
    Expired,
    /// <summary>Expired, but a legal hold covers it: stays until every covering hold is released.</summary>
    Held,
    /// <summary>A lifecycle record (checkpoint, archive, retention, erasure, hold, policy): the log's own metadata, never expires.</summary>
    Lifecycle,
    /// <summary>
    /// Expired and not held, but the chain's newest record: never archived, because the next append continues the chain
    /// from it. It goes with the first run after a later record exists.
    /// </summary>
    Newest,
}

/// <summary>Why retention treats one record as it does.</summary>
/// <param name="Sequence">The record's sequence.</param>
/// <param name="Timestamp">Its UTC timestamp, from which its retention runs.</param>
/// <param name="Action">Its action.</param>
/// <param name="Domains">Its compliance domains.</param>
/// <param name="Disposition">What retention does with it.</param>
/// <param name="Policy">The deciding policy (the longest of its domains'; <c>default</c> with none); <see langword="null"/> for lifecycle records.</param>
/// <param name="ExpiresAt">When the deciding policy lets it go; <see langword="null"/> for lifecycle records.</param>
/// <param name="Hot">Whether it is inside its policy's hot window (must stay immediately available).</param>
/// <param name="HeldBy">The active holds covering it, for <see cref="RetentionDisposition.Held"/>; empty otherwise.</param>
public readonly record struct RetentionDecision(
    long Sequence,
    DateTimeOffset Timestamp,
    AuditAction Action,
    ComplianceDomain Domains,
    RetentionDisposition Disposition,
    RetentionPolicy? Policy,
    DateTimeOffset? ExpiresAt,
    bool Hot,
    IReadOnlyList<LegalHold> HeldBy);
