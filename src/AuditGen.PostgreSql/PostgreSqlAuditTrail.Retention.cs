using AuditGen.Archive;
using AuditGen.Retention;

namespace AuditGen.PostgreSql;

public sealed partial class PostgreSqlAuditTrail
{
    /// <summary>
    /// Applies retention now, as <c>LiteDbAuditTrail.ApplyRetentionAsync</c> does: records the retention configuration
    /// when it changed, archives every expired record that no legal hold covers to <paramref name="target"/>
    /// (<see cref="ArchiveAsync"/>: the database checks the segment before any record leaves), and completes any run a
    /// crash interrupted. Run it as the retention role (<c>auditgen db init</c>); the application role may not prune.
    /// </summary>
    /// <param name="target">Where archived records go (e.g. <see cref="FolderArchiveTarget"/>).</param>
    /// <param name="policies">The policies; <see langword="null"/>: <see cref="AuditTrailOptions.Retention"/>.</param>
    /// <param name="progress">Receives planning and archiving progress.</param>
    /// <param name="cancellationToken">Cancels between steps; a rerun completes what was started.</param>
    /// <exception cref="RetentionConfigurationException">The trail's retention options are invalid.</exception>
    /// <exception cref="ArchiveTargetException">The target cannot be read or written.</exception>
    /// <exception cref="AuditTrailException">The trail is read-only or closed, an archive did not verify, or the database refused the prune (nothing was removed).</exception>
    public Task<RetentionRun> ApplyRetentionAsync(IArchiveTarget target, RetentionPolicySet? policies = null,
        IProgress<RetentionProgress>? progress = null, CancellationToken cancellationToken = default) =>
        RetentionApplier.ApplyToAsync(this, target, policies, RetentionApplier.DefaultActor, progress, cancellationToken);
}
