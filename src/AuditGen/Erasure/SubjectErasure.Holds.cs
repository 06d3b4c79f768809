using AuditGen.Retention;

namespace AuditGen.Erasure;

internal sealed partial class SubjectErasure
{
    // A hold blocks the erasure when it covers any record whose values would become unreadable, or when it is drawn
    // around the subject itself (given as the raw id or as the HMAC pseudonym the records carry), records or not.
    private async Task EnsureNoLegalHoldAsync(List<AuditRecord> records, string subjectId, string pseudonym, CancellationToken cancellationToken)
    {
        var holds = await LegalHolds.ReadActiveAsync(trail, cancellationToken).ConfigureAwait(false);
        if (holds.Count == 0)
            return;
        string? hmacSubject = null;
        if (options.HmacKey is { Length: >= Redaction.KeyedHmacRedactor.MinimumKeyLength })
            hmacSubject = options.Redaction.Redact(RedactionStrategy.Hmac, subjectId, () => "the subject id");

        var blocking = new List<(LegalHold Hold, int Covered)>();
        foreach (var hold in holds)
        {
            var covered = records.Count(hold.Covers);
            var onSubject = hold.Scope.Kind == LegalHoldScopeKind.Subject
                && (hold.Scope.Value == subjectId || (hmacSubject is not null && hold.Scope.Value == hmacSubject));
            if (covered > 0 || onSubject)
                blocking.Add((hold, covered));
        }
        if (blocking.Count == 0)
            return;

        var described = string.Join("; ", blocking.Select(b =>
            $"hold {b.Hold.Id} ({b.Hold.Scope}, placed by {b.Hold.PlacedBy} at {b.Hold.PlacedAt:O}: {b.Hold.Reason}) covers " +
            (b.Covered > 0 ? $"{b.Covered} of its {records.Count} record(s)" : "the subject")));
        throw new SubjectUnderLegalHoldException(
            $"Subject {pseudonym} was not erased: {blocking.Count} active legal hold(s) cover it — {described}. " +
            "Nothing was destroyed. Release the hold(s) first (auditgen hold release), then erase.",
            blocking.Select(b => b.Hold.Id.ToString()).ToArray());
    }
}
