using AuditGen.Erasure;

namespace AuditGen.PostgreSql;

/// <summary>
/// Sealed values and erasure by crypto-shredding (GDPR Art. 17), as on LiteDB and by the same code
/// (<see cref="SubjectErasure"/>). The subject keys and the ciphertexts live in a file vault OUTSIDE PostgreSQL
/// (<see cref="ErasureOptions.VaultDirectory"/>): a key stored in a row would survive its deletion in old row versions,
/// the WAL and backups. See docs/postgresql.md, "Erasure".
/// </summary>
public sealed partial class PostgreSqlAuditTrail : ISealingTrail, ISealedRecordLookup
{
    private readonly ISealVault? _vault;
    private SubjectErasure? _erasure;

    private SubjectErasure Erasing => LazyInitializer.EnsureInitialized(ref _erasure,
        () => new SubjectErasure(this, _vault, _vault?.Location ?? Options.Erasure?.ValidatedVaultDirectory() ?? "(none: AuditTrailOptions.Erasure is not set)", Options, $"PostgreSQL log '{LogId}'"));

    // With erasure options the vault's folder is required: PostgreSQL has no file to put it beside, and must not hold it.
    private static string? ValidateErasureOptions(AuditTrailOptions options, string logId)
    {
        if (options.Erasure is not { } erasure)
            return null;
        _ = erasure.Validated();
        return erasure.ValidatedVaultDirectory() ?? throw new AuditTrailException(
            $"PostgreSQL log '{logId}' is opened with {nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.Erasure)} but without " +
            $"{nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.Erasure)}.{nameof(ErasureOptions.VaultDirectory)}: set it to a local folder for the vault " +
            "(subject keys and sealed payloads), which is kept outside the database so that destroying a key destroys it.");
    }

    // A writer with erasure options holds the vault for writing; a reader reads it when it exists.
    private static ISealVault? OpenVault(string? directory, AuditTrailOptions options)
    {
        if (directory is null)
            return null;
        if (!options.ReadOnly)
            return FileSealVault.OpenDirectory(directory, readOnly: false);
        return FileSealVault.DirectoryHasVault(directory) ? FileSealVault.OpenDirectory(directory, readOnly: true) : null;
    }

    /// <inheritdoc />
    SealingKeys? ISealingTrail.SealingKeys(out string whyNot) => Erasing.SealingKeys(out whyNot);

    /// <summary>
    /// The sealed values of <paramref name="record"/>: each one's plaintext, checked against the commitment in the
    /// record, or the marker of its erasure (when, by whom, the <c>subject_erased</c> record). Needs the trail's
    /// commitment key and vault (<see cref="AuditTrailOptions.Erasure"/>), also when opened read-only.
    /// </summary>
    /// <exception cref="SealedContentTamperedException">A value's vault payload is missing, altered or not the one committed to.</exception>
    /// <exception cref="AuditTrailException">No commitment key is configured, or the trail is closed.</exception>
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
    /// counts and key numbers). Every hash, proof and checkpoint verifies as before: records keep their commitments,
    /// and no row of PostgreSQL is changed. Refused while a legal hold covers the subject or any of its records. Safe to
    /// repeat: an erased subject is reported as such, an erasure interrupted after destroying the keys is completed.
    /// Needs this trail to hold the vault for writing (one writer per vault).
    /// </summary>
    /// <param name="subjectId">The subject's raw id, as the tools saw it (the <c>[SubjectId]</c> argument or <see cref="AuditContext.SubjectId"/>).</param>
    /// <param name="reason">Why (e.g. the request's reference); scrubbed of the subject id and of personal-data patterns.</param>
    /// <param name="requestedBy">Who asked for it (recorded as the record's actor).</param>
    /// <param name="cancellationToken">Cancels before anything is destroyed.</param>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    /// <exception cref="SubjectUnderLegalHoldException">A legal hold covers the subject or one of its records.</exception>
    /// <exception cref="AuditTrailException">The trail is read-only, closed, or has no commitment key and vault.</exception>
    public Task<SubjectErasureResult> EraseSubjectAsync(string subjectId, string reason, string requestedBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        ThrowIfDisposed();
        if (_writer is null)
            throw new AuditTrailException($"PostgreSQL log '{LogId}' was opened read-only; erasure needs a writer holding the vault.");
        return Erasing.EraseSubjectAsync(subjectId, reason, requestedBy, cancellationToken);
    }
}
