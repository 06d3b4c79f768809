namespace AuditGen.Queries;

/// <summary>A record as a reader is allowed to see it.</summary>
/// <param name="Record">
/// The record, or when <paramref name="IsRedacted"/> its redacted view: details, resource id, subject id, error message
/// and sealed content withheld. A redacted view keeps the stored hashes but no longer hashes to them: verify the trail,
/// not a view.
/// </param>
/// <param name="IsRedacted">Whether fields were withheld from this reader.</param>
public sealed record AuditRecordView(AuditRecord Record, bool IsRedacted)
{
    /// <summary>What replaces a withheld text field.</summary>
    public const string WithheldMarker = "[withheld]";

    /// <summary>The view of <paramref name="record"/> for <paramref name="role"/>.</summary>
    public static AuditRecordView For(AuditRecord record, AuditReaderRole role)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (role.SeesInFull(record.Classification))
            return new AuditRecordView(record, IsRedacted: false);
        return new AuditRecordView(record with
        {
            Details = $$"""{"withheld":"{{record.Classification.ToWireName()}}"}""",
            ResourceId = record.ResourceId is null ? null : WithheldMarker,
            SubjectId = record.SubjectId is null ? null : WithheldMarker,
            Error = record.Error is null ? null : record.Error with { Message = WithheldMarker },
            Sealed = record.Sealed is null ? null : WithheldMarker,
        }, IsRedacted: true);
    }
}
