using System.Runtime.CompilerServices;

namespace AuditGen.Retention;

/// <summary>
/// Decides, record by record, what retention does at an instant: streams the trail once in sequence order and yields a
/// <see cref="RetentionDecision"/> per record without keeping them, so a trail of any size is planned in constant
/// memory (<see cref="RetentionPlan"/> keeps only the selected sequences and counts).
/// </summary>
public static class RetentionPlanner
{
    /// <summary>Whether records with <paramref name="action"/> are the log's own metadata, which retention never expires.</summary>
    public static bool IsLifecycle(AuditAction action) => action is AuditAction.CheckpointSigned or AuditAction.ArchiveCreated
        or AuditAction.RetentionApplied or AuditAction.SubjectErased or AuditAction.LegalHoldPlaced or AuditAction.LegalHoldReleased
        or AuditAction.RetentionPolicyChanged;

    /// <summary>The decision for one record at <paramref name="at"/> under <paramref name="policies"/> and the active <paramref name="holds"/>.</summary>
    public static RetentionDecision Decide(AuditRecord record, RetentionPolicySet policies, IReadOnlyList<LegalHold> holds, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(holds);
        if (IsLifecycle(record.Action))
            return new(record.Sequence, record.Timestamp, record.Action, record.Domains, RetentionDisposition.Lifecycle, null, null, false, []);

        var (policy, expiresAt) = policies.Decide(record.Domains, record.Timestamp);
        var hot = policy.IsHot(record.Timestamp, at);
        if (at < expiresAt)
            return new(record.Sequence, record.Timestamp, record.Action, record.Domains, RetentionDisposition.Kept, policy, expiresAt, hot, []);

        List<LegalHold>? heldBy = null;
        foreach (var hold in holds)
        {
            if (hold.IsActive && hold.Covers(record))
                (heldBy ??= []).Add(hold);
        }
        return heldBy is null
            ? new(record.Sequence, record.Timestamp, record.Action, record.Domains, RetentionDisposition.Expired, policy, expiresAt, hot, [])
            : new(record.Sequence, record.Timestamp, record.Action, record.Domains, RetentionDisposition.Held, policy, expiresAt, hot, heldBy);
    }

    /// <summary>Every record's decision at <paramref name="at"/>, in sequence order.</summary>
    /// <param name="trail">The trail to plan over (any store).</param>
    /// <param name="policies">The policies in force.</param>
    /// <param name="holds">The active holds (from <see cref="LegalHolds.ReadActiveAsync"/>).</param>
    /// <param name="at">The instant to plan for.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    public static async IAsyncEnumerable<RetentionDecision> EvaluateAsync(IAuditTrail trail, RetentionPolicySet policies, IReadOnlyList<LegalHold> holds,
        DateTimeOffset at, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trail);
        await foreach (var record in trail.QueryAsync(new AuditQuery(), cancellationToken).ConfigureAwait(false))
            yield return Decide(record, policies, holds, at);
    }
}
