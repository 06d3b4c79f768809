using System.Runtime.CompilerServices;
using AuditGen.Canonical;

namespace AuditGen.Retention;

/// <summary>
/// Places, releases and reads legal holds on any <see cref="IAuditTrail"/> (LiteDB, PostgreSQL, …). The trail is the
/// source of truth: a hold is a <c>legal_hold_placed</c> record, its release a <c>legal_hold_released</c> record.
/// </summary>
/// <remarks>
/// Placing and releasing are serialized per trail object in this process, so two concurrent releases of one hold
/// cannot both succeed here. Writers in other processes (a shared PostgreSQL log) are not serialized with these; a
/// second release of the same hold written by such a race is read as a no-op, the first one counts.
/// </remarks>
public static class LegalHolds
{
    private static readonly ConditionalWeakTable<IAuditTrail, SemaphoreSlim> Gates = new();

    /// <summary>Places a legal hold and returns it once its record is durable.</summary>
    /// <param name="trail">The trail to hold records in.</param>
    /// <param name="scope">What the hold covers.</param>
    /// <param name="reason">Why (matter, case number); required. Recorded as given: keep personal data out of it.</param>
    /// <param name="placedBy">Who places it; required.</param>
    /// <param name="cancellationToken">Cancels waiting for the record.</param>
    /// <exception cref="ArgumentException">The reason or the placer is missing.</exception>
    public static async Task<LegalHold> PlaceAsync(IAuditTrail trail, LegalHoldScope scope, string reason, string placedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(scope);
        var cleanReason = RequireText(reason, nameof(reason), "A legal hold needs a reason (the matter or case it preserves records for).");
        var placer = RequireName(placedBy, nameof(placedBy), "A legal hold needs the name of whoever places it.");

        var gate = Gates.GetValue(trail, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var record = await trail.AppendAsync(LegalHoldRecords.Placed(scope, cleanReason, placer), cancellationToken).ConfigureAwait(false);
            return LegalHoldRecords.ReadPlaced(record);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Releases the active hold <paramref name="holdId"/> and returns it, released, once the release record is durable.</summary>
    /// <exception cref="ArgumentException">The reason or the releaser is missing.</exception>
    /// <exception cref="LegalHoldException">No hold has that id, or it was already released.</exception>
    public static async Task<LegalHold> ReleaseAsync(IAuditTrail trail, Guid holdId, string reason, string releasedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trail);
        var cleanReason = RequireText(reason, nameof(reason), "Releasing a legal hold needs a reason (e.g. the matter was closed).");
        var releaser = RequireName(releasedBy, nameof(releasedBy), "Releasing a legal hold needs the name of whoever releases it.");

        var gate = Gates.GetValue(trail, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var holds = await ReadAllAsync(trail, cancellationToken).ConfigureAwait(false);
            var hold = holds.FirstOrDefault(h => h.Id == holdId)
                ?? throw new LegalHoldException($"No legal hold has the id {AuditRecordCodec.FormatId(holdId)} in this trail. " +
                    $"Active holds: {(holds.Any(h => h.IsActive) ? string.Join(", ", holds.Where(h => h.IsActive).Select(h => AuditRecordCodec.FormatId(h.Id))) : "none")}.");
            if (hold.Release is { } earlier)
            {
                throw new LegalHoldException($"The legal hold {AuditRecordCodec.FormatId(holdId)} ({hold.Scope}) was already released by {earlier.ReleasedBy} " +
                    $"at {AuditRecordCodec.FormatTimestamp(earlier.ReleasedAt)} (record {earlier.Sequence}); it cannot be released twice.");
            }
            var record = await trail.AppendAsync(LegalHoldRecords.Released(holdId, cleanReason, releaser), cancellationToken).ConfigureAwait(false);
            return hold with { Release = LegalHoldRecords.ReadReleased(record).Release };
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The holds in force now, in the order they were placed.</summary>
    /// <exception cref="LegalHoldException">A hold record in the trail cannot be read.</exception>
    public static async Task<IReadOnlyList<LegalHold>> ReadActiveAsync(IAuditTrail trail, CancellationToken cancellationToken = default) =>
        (await ReadAllAsync(trail, cancellationToken).ConfigureAwait(false)).Where(h => h.IsActive).ToList();

    /// <summary>Every hold ever placed, active and released, in the order they were placed.</summary>
    /// <exception cref="LegalHoldException">A hold record in the trail cannot be read, or a release names no placed hold.</exception>
    public static async Task<IReadOnlyList<LegalHold>> ReadAllAsync(IAuditTrail trail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trail);
        var holds = new List<LegalHold>();
        var index = new Dictionary<Guid, int>();
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.LegalHoldPlaced }, cancellationToken).ConfigureAwait(false))
        {
            var hold = LegalHoldRecords.ReadPlaced(record);
            index[hold.Id] = holds.Count;
            holds.Add(hold);
        }
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.LegalHoldReleased }, cancellationToken).ConfigureAwait(false))
        {
            var (holdId, release) = LegalHoldRecords.ReadReleased(record);
            if (!index.TryGetValue(holdId, out var at) || holds[at].PlacedSequence > release.Sequence)
            {
                throw new LegalHoldException($"The legal_hold_released record at sequence {release.Sequence} releases {AuditRecordCodec.FormatId(holdId)}, " +
                    "which no earlier legal_hold_placed record placed. Verify the trail.");
            }
            if (holds[at].IsActive)
                holds[at] = holds[at] with { Release = release };
        }
        return holds;
    }

    // Actors are recorded as given, like every record's actor id.
    private static string RequireName(string? value, string parameter, string message) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException(message, parameter) : value.Trim();

    // Reasons are recorded as given: the pattern scrubber would take a matter number such as "2025-114" for a phone
    // number, and a hold whose matter cannot be read is useless. Callers keep personal data out of reasons.
    private static string RequireText(string? value, string parameter, string message) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException(message, parameter) : value.Trim();
}
