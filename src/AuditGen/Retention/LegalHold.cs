namespace AuditGen.Retention;

/// <summary>
/// A legal hold: while it is active, retention archives none of the records it covers, whatever their policy says.
/// Holds live in the log itself: placing one appends a <c>legal_hold_placed</c> record, releasing it a
/// <c>legal_hold_released</c> record, so the set of holds is tamper-evident and read back from the trail
/// (<see cref="LegalHolds.ReadActiveAsync"/>).
/// </summary>
/// <param name="Id">The hold's id: the id of its <c>legal_hold_placed</c> record.</param>
/// <param name="Scope">The records it covers.</param>
/// <param name="Reason">Why it was placed (matter, case number), as given.</param>
/// <param name="PlacedBy">Who placed it.</param>
/// <param name="PlacedAt">When it was placed: its record's timestamp.</param>
/// <param name="PlacedSequence">The sequence of its <c>legal_hold_placed</c> record.</param>
public sealed record LegalHold(Guid Id, LegalHoldScope Scope, string Reason, string PlacedBy, DateTimeOffset PlacedAt, long PlacedSequence)
{
    /// <summary>How it was released, or <see langword="null"/> while it is active.</summary>
    public LegalHoldRelease? Release { get; init; }

    /// <summary>Whether the hold still applies.</summary>
    public bool IsActive => Release is null;

    /// <summary>Whether <paramref name="record"/> falls under this hold's scope (whether or not the hold is still active).</summary>
    public bool Covers(AuditRecord record) => Scope.Covers(record);
}

/// <summary>The release of a legal hold, as its <c>legal_hold_released</c> record says.</summary>
/// <param name="ReleasedBy">Who released it.</param>
/// <param name="Reason">Why, as given.</param>
/// <param name="ReleasedAt">When: the release record's timestamp.</param>
/// <param name="Sequence">The sequence of the release record.</param>
public sealed record LegalHoldRelease(string ReleasedBy, string Reason, DateTimeOffset ReleasedAt, long Sequence);

/// <summary>A legal hold cannot be placed or released as asked: it is unknown, already released, or its record is unreadable.</summary>
public sealed class LegalHoldException : AuditTrailException
{
    /// <summary>Creates the exception.</summary>
    public LegalHoldException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public LegalHoldException(string message, Exception innerException) : base(message, innerException) { }
}
