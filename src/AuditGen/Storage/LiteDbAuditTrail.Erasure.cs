using AuditGen.Erasure;

namespace AuditGen;

/// <summary>Sealed values and erasure by crypto-shredding (GDPR Art. 17); see docs/design-notes.md, "Erasure".</summary>
public sealed partial class LiteDbAuditTrail
{
    private readonly ISealVault? _vault;
    private SubjectErasure? _erasure;

    // One per trail, over its public API and its vault: the store-independent logic (shared with PostgreSQL).
    private SubjectErasure Erasing => LazyInitializer.EnsureInitialized(ref _erasure,
        () => new SubjectErasure(this, _vault, VaultDirectory(_path, Options), Options, $"'{_path}'"));

    // The vault's folder: the option when set, else beside the database.
    private static string VaultDirectory(string path, AuditTrailOptions options) =>
        options.Erasure?.ValidatedVaultDirectory() ?? FileSealVault.DirectoryFor(path);

    // A writer with erasure options keeps a writable vault; anyone else reads the one that exists (if any).
    private static ISealVault? OpenVault(string path, AuditTrailOptions options)
    {
        var directory = VaultDirectory(path, options);
        if (!options.ReadOnly && options.Erasure is not null)
            return FileSealVault.OpenDirectory(directory, readOnly: false);
        return FileSealVault.DirectoryHasVault(directory) ? FileSealVault.OpenDirectory(directory, readOnly: true) : null;
    }

    /// <inheritdoc />
    SealingKeys? ISealingTrail.SealingKeys(out string whyNot) => Erasing.SealingKeys(out whyNot);

    /// <summary>
    /// The sealed values of <paramref name="record"/>: each one's plaintext, checked against the commitment in the
    /// record, or the marker of its erasure (when, by whom, the <c>subject_erased</c> record). Needs the trail's
    /// commitment key (<see cref="AuditTrailOptions.Erasure"/>), also when opened read-only.
    /// </summary>
    /// <exception cref="SealedContentTamperedException">A value's vault payload is missing, altered or not the one committed to.</exception>
    /// <exception cref="AuditTrailException">No commitment key is configured.</exception>
    public ValueTask<SealedContent> ReadSealedAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ThrowIfDisposed();
        return Erasing.ReadSealedAsync(record, cancellationToken);
    }

    /// <summary>
    /// Erases a data subject (GDPR Art. 17) by crypto-shredding: destroys the subject's keys in the vault (their seeds
    /// overwritten with zeros and fsynced), deletes the sealed payloads, then appends a <c>subject_erased</c> record
    /// (details: the subject's pseudonym — never <paramref name="subjectId"/> itself —, the scrubbed reason, who asked,
    /// counts and key numbers). Every hash and proof of the trail verifies as before: records keep their commitments.
    /// Refused while a legal hold covers the subject or any of its records. Safe to repeat: an erased subject is reported
    /// as such, an erasure interrupted after destroying the keys is completed.
    /// </summary>
    /// <param name="subjectId">The subject's raw id, as the tools saw it (the <c>[SubjectId]</c> argument or <see cref="AuditContext.SubjectId"/>).</param>
    /// <param name="reason">Why (e.g. the request's reference); scrubbed of the subject id and of personal-data patterns.</param>
    /// <param name="requestedBy">Who asked for it (recorded as the record's actor).</param>
    /// <param name="cancellationToken">Cancels before anything is destroyed.</param>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    /// <exception cref="SubjectUnderLegalHoldException">A legal hold covers the subject or one of its records.</exception>
    /// <exception cref="AuditTrailException">The trail is read-only, closed, or has no commitment key.</exception>
    public Task<SubjectErasureResult> EraseSubjectAsync(string subjectId, string reason, string requestedBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        ThrowIfDisposed();
        if (_writer is null)
            throw new AuditTrailException($"The audit trail '{_path}' was opened read-only; erasure needs the write lock.");
        return Erasing.EraseSubjectAsync(subjectId, reason, requestedBy, cancellationToken);
    }
}
