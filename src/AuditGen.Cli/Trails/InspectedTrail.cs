using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.PostgreSql;

namespace AuditGen.Cli.Trails;

/// <summary>What the inspection commands need of a trail, whichever store holds it.</summary>
internal abstract class InspectedTrail : IAsyncDisposable
{
    /// <summary>The trail, for queries.</summary>
    public abstract IAuditTrail Trail { get; }

    /// <summary>Records covered by the Merkle tree.</summary>
    public abstract ValueTask<long> TreeSizeAsync(CancellationToken cancellationToken);

    /// <summary>The latest signed checkpoint recorded in the trail (signature not checked).</summary>
    public abstract ValueTask<SignedCheckpoint?> LatestCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>Verification, against <paramref name="checkpoint"/> when given.</summary>
    public abstract ValueTask<VerificationResult> VerifyAsync(SignedCheckpoint? checkpoint, IProgress<long>? progress, CancellationToken cancellationToken);

    /// <summary>The inclusion proof of <paramref name="sequence"/> in the tree of <paramref name="treeSize"/> records.</summary>
    public abstract ValueTask<InclusionProof> InclusionProofAsync(long sequence, long treeSize, CancellationToken cancellationToken);

    /// <summary>The consistency proof between two tree sizes.</summary>
    public abstract ValueTask<ConsistencyProof> ConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken);

    /// <summary>Signs a checkpoint now (a trail opened for writing with checkpoint options).</summary>
    public abstract ValueTask<SignedCheckpoint> CheckpointAsync(CancellationToken cancellationToken);

    /// <summary>Verification of the archives in <paramref name="archives"/> and the live trail as one history.</summary>
    public abstract ValueTask<VerificationResult> VerifyWithArchivesAsync(AuditGen.Archive.IArchiveTarget archives, SignedCheckpoint? checkpoint, IProgress<long>? progress,
        CancellationToken cancellationToken);

    /// <summary>Archives <paramref name="selection"/> to <paramref name="target"/> and removes it from the live trail (opened for writing).</summary>
    public abstract Task<AuditGen.Archive.ArchiveOutcome> ArchiveAsync(AuditGen.Archive.ArchiveSelection selection, AuditGen.Archive.IArchiveTarget target,
        IProgress<long>? progress, CancellationToken cancellationToken);

    /// <summary>Applies retention with <paramref name="policies"/> (a trail opened for writing).</summary>
    public abstract Task<AuditGen.Retention.RetentionRun> ApplyRetentionAsync(AuditGen.Archive.IArchiveTarget target, AuditGen.Retention.RetentionPolicySet policies,
        IProgress<AuditGen.Retention.RetentionProgress>? progress, CancellationToken cancellationToken);

    /// <summary>Erases a data subject (a trail opened for writing with erasure options).</summary>
    public abstract Task<AuditGen.Erasure.SubjectErasureResult> EraseSubjectAsync(string subjectId, string reason, string requestedBy, CancellationToken cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ((IAsyncDisposable)Trail).DisposeAsync();
}

internal sealed class LiteDbInspectedTrail(LiteDbAuditTrail trail) : InspectedTrail
{
    public override IAuditTrail Trail => trail;

    public override ValueTask<long> TreeSizeAsync(CancellationToken cancellationToken) => ValueTask.FromResult(trail.TreeSize);

    public override ValueTask<SignedCheckpoint?> LatestCheckpointAsync(CancellationToken cancellationToken) => ValueTask.FromResult(trail.LatestCheckpoint);

    public override ValueTask<VerificationResult> VerifyAsync(SignedCheckpoint? checkpoint, IProgress<long>? progress, CancellationToken cancellationToken) =>
        trail.VerifyAsync(checkpoint, progress, cancellationToken);

    public override ValueTask<VerificationResult> VerifyWithArchivesAsync(AuditGen.Archive.IArchiveTarget archives, SignedCheckpoint? checkpoint, IProgress<long>? progress,
        CancellationToken cancellationToken) =>
        trail.VerifyWithArchivesAsync(archives, checkpoint, progress, cancellationToken);

    public override Task<AuditGen.Archive.ArchiveOutcome> ArchiveAsync(AuditGen.Archive.ArchiveSelection selection, AuditGen.Archive.IArchiveTarget target,
        IProgress<long>? progress, CancellationToken cancellationToken) =>
        trail.ArchiveAsync(selection, target, progress, cancellationToken);

    public override Task<AuditGen.Retention.RetentionRun> ApplyRetentionAsync(AuditGen.Archive.IArchiveTarget target, AuditGen.Retention.RetentionPolicySet policies,
        IProgress<AuditGen.Retention.RetentionProgress>? progress, CancellationToken cancellationToken) =>
        trail.ApplyRetentionAsync(target, policies, progress, cancellationToken);

    public override ValueTask<InclusionProof> InclusionProofAsync(long sequence, long treeSize, CancellationToken cancellationToken) =>
        trail.GetInclusionProofAsync(sequence, treeSize, cancellationToken);

    public override ValueTask<ConsistencyProof> ConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken) =>
        ValueTask.FromResult(trail.GetConsistencyProof(size1, size2));

    public override ValueTask<SignedCheckpoint> CheckpointAsync(CancellationToken cancellationToken) => trail.CheckpointAsync(cancellationToken);

    public override Task<AuditGen.Erasure.SubjectErasureResult> EraseSubjectAsync(string subjectId, string reason, string requestedBy, CancellationToken cancellationToken) =>
        trail.EraseSubjectAsync(subjectId, reason, requestedBy, cancellationToken);
}

internal sealed class PostgreSqlInspectedTrail(PostgreSqlAuditTrail trail) : InspectedTrail
{
    public override IAuditTrail Trail => trail;

    public override ValueTask<long> TreeSizeAsync(CancellationToken cancellationToken) => trail.GetTreeSizeAsync(cancellationToken);

    public override ValueTask<SignedCheckpoint?> LatestCheckpointAsync(CancellationToken cancellationToken) => trail.GetLatestCheckpointAsync(cancellationToken);

    public override ValueTask<VerificationResult> VerifyAsync(SignedCheckpoint? checkpoint, IProgress<long>? progress, CancellationToken cancellationToken) =>
        trail.VerifyAsync(checkpoint, progress, cancellationToken);

    public override ValueTask<InclusionProof> InclusionProofAsync(long sequence, long treeSize, CancellationToken cancellationToken) =>
        trail.GetInclusionProofAsync(sequence, treeSize, cancellationToken);

    public override ValueTask<ConsistencyProof> ConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken) =>
        trail.GetConsistencyProofAsync(size1, size2, cancellationToken);

    public override ValueTask<VerificationResult> VerifyWithArchivesAsync(AuditGen.Archive.IArchiveTarget archives, SignedCheckpoint? checkpoint, IProgress<long>? progress,
        CancellationToken cancellationToken) =>
        trail.VerifyWithArchivesAsync(archives, checkpoint, progress, cancellationToken);

    public override Task<AuditGen.Archive.ArchiveOutcome> ArchiveAsync(AuditGen.Archive.ArchiveSelection selection, AuditGen.Archive.IArchiveTarget target,
        IProgress<long>? progress, CancellationToken cancellationToken) =>
        trail.ArchiveAsync(selection, target, progress, cancellationToken);

    public override Task<AuditGen.Retention.RetentionRun> ApplyRetentionAsync(AuditGen.Archive.IArchiveTarget target, AuditGen.Retention.RetentionPolicySet policies,
        IProgress<AuditGen.Retention.RetentionProgress>? progress, CancellationToken cancellationToken) =>
        trail.ApplyRetentionAsync(target, policies, progress, cancellationToken);

    public override ValueTask<SignedCheckpoint> CheckpointAsync(CancellationToken cancellationToken) => trail.CheckpointAsync(cancellationToken);

    public override Task<AuditGen.Erasure.SubjectErasureResult> EraseSubjectAsync(string subjectId, string reason, string requestedBy, CancellationToken cancellationToken) =>
        trail.EraseSubjectAsync(subjectId, reason, requestedBy, cancellationToken);
}
