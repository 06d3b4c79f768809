using AuditGen.Archive;
using AuditGen.Retention;

namespace AuditGen;

public sealed partial class LiteDbAuditTrail
{
    /// <summary>
    /// Applies retention now: records the retention configuration when it changed, archives every expired record that
    /// no legal hold covers to <paramref name="target"/>, and completes any run a crash interrupted (see
    /// <see cref="RetentionApplier.ApplyAsync"/>).
    /// </summary>
    /// <param name="target">Where archived records go (e.g. <see cref="FolderArchiveTarget"/>).</param>
    /// <param name="policies">The policies; <see langword="null"/>: <see cref="AuditTrailOptions.Retention"/>.</param>
    /// <param name="progress">Receives planning and archiving progress.</param>
    /// <param name="cancellationToken">Cancels between steps; a rerun completes what was started.</param>
    public Task<RetentionRun> ApplyRetentionAsync(IArchiveTarget target, RetentionPolicySet? policies = null,
        IProgress<RetentionProgress>? progress = null, CancellationToken cancellationToken = default) =>
        RetentionApplier.ApplyAsync(this, target, policies, RetentionApplier.DefaultActor, progress, cancellationToken);
}
