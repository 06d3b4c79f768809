using AuditGen.Archive;

namespace AuditGen.Retention;

/// <summary>What <see cref="RetentionApplier.ApplyAsync"/> did.</summary>
/// <param name="Plan">The plan it applied (made at the trail's now, after completing interrupted runs).</param>
/// <param name="PolicyChange">The <c>retention_policy_changed</c> record it appended first, or <see langword="null"/> when the configuration was already recorded.</param>
/// <param name="Archives">The archive runs, in order: interrupted runs completed first (<see cref="ArchiveOutcome.Resumed"/>), then this plan's.</param>
public sealed record RetentionRun(RetentionPlan Plan, AuditRecord? PolicyChange, IReadOnlyList<ArchiveOutcome> Archives)
{
    /// <summary>How many records this run moved out of the live trail (completed interrupted runs included).</summary>
    public long RecordsArchived => Archives.Sum(a => a.Manifest.Count);
}

/// <summary>Where <see cref="RetentionApplier.ApplyAsync"/> is: planning (records read) or archiving (the archive's own work units).</summary>
/// <param name="Phase"><c>planning</c> or <c>archiving</c>.</param>
/// <param name="Done">Work done in this phase.</param>
/// <param name="Total">Work in this phase, when known (planning: the trail's size; archiving: three passes over the selection).</param>
public readonly record struct RetentionProgress(string Phase, long Done, long Total);
