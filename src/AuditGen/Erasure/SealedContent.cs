namespace AuditGen.Erasure;

/// <summary>The sealed values of one record, as read back from the vault.</summary>
/// <param name="Record">The record.</param>
/// <param name="Values">Its sealed values, in the order of its canonical details; empty when it seals nothing.</param>
public sealed record SealedContent(AuditRecord Record, IReadOnlyList<SealedValueReading> Values);

/// <summary>One sealed value: its plaintext (checked against the record's commitment), or the marker of its erasure.</summary>
/// <param name="Path">Where the value sits in the record's details, e.g. <c>arguments.notes</c> or <c>result</c>.</param>
/// <param name="Commitment">The commitment in the record (base64url).</param>
/// <param name="Json">The value as canonical JSON (a string value with its quotes), or null once erased.</param>
/// <param name="Erasure">Set once the subject was erased.</param>
public sealed record SealedValueReading(string Path, string Commitment, string? Json, ErasureMarker? Erasure)
{
    /// <summary>Whether the value was erased.</summary>
    public bool IsErased => Erasure is not null;
}

/// <summary>What a reader gets for erased content instead of the content.</summary>
/// <param name="ErasedAt">When the subject's key was destroyed.</param>
/// <param name="RequestedBy">Who requested the erasure (from the <c>subject_erased</c> record), when recorded.</param>
/// <param name="Reason">Why (scrubbed), when recorded.</param>
/// <param name="RecordSequence">The sequence of the <c>subject_erased</c> record; null when an interrupted erasure has
/// destroyed the key but not yet recorded itself (rerunning the erasure records it).</param>
public sealed record ErasureMarker(DateTimeOffset ErasedAt, string? RequestedBy, string? Reason, long? RecordSequence)
{
    /// <inheritdoc />
    public override string ToString() =>
        RecordSequence is { } sequence
            ? $"[erased at {ErasedAt:O} by {RequestedBy} (subject_erased record {sequence})]"
            : $"[erased at {ErasedAt:O}; the erasure was interrupted before it was recorded: rerun it]";
}

/// <summary>How an erasure request ended.</summary>
public enum SubjectErasureOutcome
{
    /// <summary>The subject's keys were destroyed now and a <c>subject_erased</c> record appended.</summary>
    Erased,
    /// <summary>An earlier erasure had destroyed the keys but was interrupted before its record: this one completed it.</summary>
    Completed,
    /// <summary>Nothing to do: the subject was already erased (the record says when).</summary>
    AlreadyErased,
    /// <summary>The vault holds nothing for this subject (never sealed under it): nothing was changed or recorded.</summary>
    UnknownSubject,
}

/// <summary>The result of <c>LiteDbAuditTrail.EraseSubjectAsync</c>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="SubjectPseudonym">The subject's keyed pseudonym (base64url): the only form of the id the trail keeps.</param>
/// <param name="Record">The <c>subject_erased</c> record appended now, or the earlier one for <see cref="SubjectErasureOutcome.AlreadyErased"/>.</param>
/// <param name="KeysDestroyed">Subject keys destroyed by this call.</param>
/// <param name="SealedValues">Sealed values whose payloads were deleted by this call.</param>
/// <param name="Records">Records of the trail with values sealed under the subject.</param>
public sealed record SubjectErasureResult(SubjectErasureOutcome Outcome, string SubjectPseudonym, AuditRecord? Record, int KeysDestroyed, int SealedValues, int Records)
{
    /// <summary>One line for people.</summary>
    public string Message => Outcome switch
    {
        SubjectErasureOutcome.Erased => $"Erased subject {SubjectPseudonym}: {KeysDestroyed} key(s) destroyed, {SealedValues} sealed value(s) in {Records} record(s) unreadable; recorded as subject_erased at sequence {Record?.Sequence}.",
        SubjectErasureOutcome.Completed => $"Completed an interrupted erasure of subject {SubjectPseudonym}: its keys were already destroyed; recorded as subject_erased at sequence {Record?.Sequence}.",
        SubjectErasureOutcome.AlreadyErased => $"Subject {SubjectPseudonym} was already erased (subject_erased at sequence {Record?.Sequence}, {Record?.Timestamp:O}); nothing changed.",
        _ => $"The trail holds no sealed content for subject {SubjectPseudonym}: nothing to erase, nothing recorded.",
    };
}

/// <summary>An erasure was refused because legal holds cover the subject or its records.</summary>
public sealed class SubjectUnderLegalHoldException : AuditTrailException
{
    /// <summary>Creates the exception.</summary>
    public SubjectUnderLegalHoldException(string message, IReadOnlyList<string> holdIds) : base(message) => HoldIds = holdIds;

    /// <summary>The ids of the holds that block the erasure.</summary>
    public IReadOnlyList<string> HoldIds { get; }
}
