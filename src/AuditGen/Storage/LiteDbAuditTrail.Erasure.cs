using System.Text.Json;
using AuditGen.Erasure;
using AuditGen.Redaction;

namespace AuditGen;

/// <summary>Sealed values and erasure by crypto-shredding (GDPR Art. 17); see docs/design-notes.md, "Erasure".</summary>
public sealed partial class LiteDbAuditTrail
{
    private const int MaxReasonLength = 1024;

    private readonly ISealVault? _vault;
    private readonly SemaphoreSlim _erasureGate = new(1, 1);

    // A writer with erasure options keeps a writable vault; anyone else reads the one that exists (if any).
    private static ISealVault? OpenVault(string path, AuditTrailOptions options)
    {
        if (!options.ReadOnly && options.Erasure is not null)
            return FileSealVault.Open(path, readOnly: false);
        return FileSealVault.Exists(path) ? FileSealVault.Open(path, readOnly: true) : null;
    }

    /// <inheritdoc />
    SealingKeys? ISealingTrail.SealingKeys(out string whyNot)
    {
        whyNot = Options.ReadOnly ? $"the trail '{_path}' was opened read-only"
            : Options.Erasure is null ? $"the trail '{_path}' was opened without {nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.Erasure)}"
            : "";
        return whyNot.Length == 0 ? Options.Erasure!.Keys : null;
    }

    /// <summary>
    /// The sealed values of <paramref name="record"/>: each one's plaintext, checked against the commitment in the
    /// record, or the marker of its erasure (when, by whom, the <c>subject_erased</c> record). Needs the trail's
    /// commitment key (<see cref="AuditTrailOptions.Erasure"/>), also when opened read-only.
    /// </summary>
    /// <exception cref="SealedContentTamperedException">A value's vault payload is missing, altered or not the one committed to.</exception>
    /// <exception cref="AuditTrailException">No commitment key is configured.</exception>
    public async ValueTask<SealedContent> ReadSealedAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ThrowIfDisposed();
        List<(string Path, string Commitment)> markers;
        try
        {
            markers = SealedMarkers.Find(record.Details);
        }
        catch (FormatException e)
        {
            throw new SealedContentTamperedException(record.Sequence, "", SealedContentProblem.Malformed, $"Record {record.Sequence} has details that are not JSON: {e.Message}", e);
        }
        if (markers.Count == 0)
            return new SealedContent(record, []);

        var keys = RequireCommitmentKey("read sealed values");
        var first = markers[0].Path;
        if (!SealFormat.TryParseHeader(record.Sealed, out var keyNumber, out var pseudonym))
            throw new SealedContentTamperedException(record.Sequence, first, SealedContentProblem.Malformed,
                $"Record {record.Sequence} has sealed values but no valid vault reference in 'sealed' ('{record.Sealed}').");
        var key = _vault?.Key(keyNumber)
            ?? throw new SealedContentTamperedException(record.Sequence, first, SealedContentProblem.KeyMissing,
                $"Record {record.Sequence} seals values under vault key {keyNumber}, but the vault '{FileSealVault.DirectoryFor(_path)}' has no such key: it was lost or replaced.");
        var torn = key.IsErased && key.Pseudonym.AsSpan().IndexOfAnyExcept((byte)0) < 0;
        if (!torn && !key.Pseudonym.AsSpan().SequenceEqual(pseudonym))
            throw new SealedContentTamperedException(record.Sequence, first, SealedContentProblem.Malformed,
                $"Record {record.Sequence} names vault key {keyNumber}, which belongs to another subject: the vault was altered.");

        var values = new List<SealedValueReading>(markers.Count);
        if (key.IsErased)
        {
            var marker = await ErasureMarkerAsync(Base64Url.Encode(pseudonym), key, cancellationToken).ConfigureAwait(false);
            foreach (var (path, commitment) in markers)
                values.Add(new SealedValueReading(path, commitment, null, marker));
            return new SealedContent(record, values);
        }

        var frames = _vault!.Frames(keyNumber, record.Id);
        foreach (var (path, commitment) in markers)
        {
            VaultFrame? frame = null;
            foreach (var candidate in frames)
            {
                if (Base64Url.Encode(candidate.Commitment) == commitment)
                {
                    frame = candidate;
                    break;
                }
            }
            if (frame is null)
                throw new SealedContentTamperedException(record.Sequence, path, SealedContentProblem.PayloadMissing,
                    $"The sealed value '{path}' of record {record.Sequence} has no payload in the vault, although its subject's key {keyNumber} is live: the payload was deleted or lost.");
            var payload = SealCrypto.Open(keys, key, frame, record, path);
            values.Add(new SealedValueReading(path, commitment, System.Text.Encoding.UTF8.GetString(payload), null));
        }
        return new SealedContent(record, values);
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
    public async Task<SubjectErasureResult> EraseSubjectAsync(string subjectId, string reason, string requestedBy, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectId);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestedBy);
        ThrowIfDisposed();
        if (_writer is null)
            throw new AuditTrailException($"The audit trail '{_path}' was opened read-only; erasure needs the write lock.");
        var keys = RequireCommitmentKey("erase a subject");
        var vault = _vault!;

        await _erasureGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            var pseudonym = keys.Pseudonym(subjectId);
            var pseudonymText = Base64Url.Encode(pseudonym);
            var subjectKeys = vault.KeysOf(pseudonym);
            var erasures = await ErasureRecordsAsync(pseudonymText, cancellationToken).ConfigureAwait(false);
            if (subjectKeys.Count == 0)
                return new SubjectErasureResult(erasures.Count == 0 ? SubjectErasureOutcome.UnknownSubject : SubjectErasureOutcome.AlreadyErased,
                    pseudonymText, erasures.Count == 0 ? null : erasures[^1].Record, 0, 0, 0);

            var recorded = new HashSet<long>(erasures.SelectMany(e => e.Keys));
            var pending = subjectKeys.Where(k => !k.IsErased || !recorded.Contains(k.KeyNumber)).Select(k => k.KeyNumber).ToList();
            if (pending.Count == 0)
                return new SubjectErasureResult(SubjectErasureOutcome.AlreadyErased, pseudonymText, erasures[^1].Record, 0, 0, 0);

            var records = await SubjectRecordsAsync(pseudonym, cancellationToken).ConfigureAwait(false);
            await EnsureNoLegalHoldAsync(records, subjectId, pseudonymText, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();

            // From here on nothing is cancelled: the keys go first (the irreversible step), then the record of it.
            var live = subjectKeys.Any(k => !k.IsErased);
            ErasureSteps.Reach("before-destroy");
            var destroyed = vault.Erase(pseudonym, Options.TimeProvider.GetUtcNow());
            ErasureSteps.Reach("payloads-deleted");
            var entry = ErasureEntry(pseudonymText, ScrubReason(reason, subjectId), requestedBy, destroyed, records.Count, pending);
            var record = await AppendAsync(entry, CancellationToken.None).ConfigureAwait(false);
            return new SubjectErasureResult(live ? SubjectErasureOutcome.Erased : SubjectErasureOutcome.Completed,
                pseudonymText, record, destroyed.KeysDestroyed, destroyed.SealedValues, records.Count);
        }
        finally
        {
            _erasureGate.Release();
        }
    }

    private SealingKeys RequireCommitmentKey(string what) =>
        Options.Erasure is { } erasure
            ? erasure.Keys
            : throw new AuditTrailException(
                $"Cannot {what} on '{_path}': it needs the trail's commitment key. Open it with " +
                $"{nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.Erasure)} = new() {{ {nameof(ErasureOptions.CommitmentKey)} = … }}.");

    private static AuditEntry ErasureEntry(string pseudonym, string reason, string requestedBy, VaultErasure destroyed, int records, List<long> keyNumbers)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString(ErasureDetails.Subject, pseudonym);
            json.WriteString(ErasureDetails.Reason, reason);
            json.WriteString(ErasureDetails.RequestedBy, requestedBy);
            json.WriteNumber(ErasureDetails.KeysDestroyed, destroyed.KeysDestroyed);
            json.WriteNumber(ErasureDetails.SealedValues, destroyed.SealedValues);
            json.WriteNumber(ErasureDetails.Records, records);
            json.WriteStartArray(ErasureDetails.Keys);
            foreach (var key in keyNumbers)
                json.WriteNumberValue(key);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return new AuditEntry
        {
            Action = AuditAction.SubjectErased,
            ActorId = requestedBy,
            ActorType = ActorType.Admin,
            Classification = DataClass.Internal,
            Domains = ComplianceDomain.Gdpr,
            Outcome = AuditOutcome.Success,
            Details = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan),
        };
    }

    // The raw subject id must not reach the log through the reason either.
    private static string ScrubReason(string reason, string subjectId)
    {
        var text = reason.Replace(subjectId, "[subject]", StringComparison.OrdinalIgnoreCase);
        text = TextPatternRedactor.Redact(text);
        return text.Length <= MaxReasonLength ? text : text[..MaxReasonLength] + "…[truncated]";
    }

    private async Task<List<AuditRecord>> SubjectRecordsAsync(byte[] pseudonym, CancellationToken cancellationToken)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in QueryAsync(new AuditQuery(), cancellationToken).ConfigureAwait(false))
        {
            if (record.Sealed is not null && SealFormat.TryParseHeader(record.Sealed, out _, out var p) && p.AsSpan().SequenceEqual(pseudonym))
                records.Add(record);
        }
        return records;
    }

    private async Task<List<(AuditRecord Record, long[] Keys)>> ErasureRecordsAsync(string pseudonym, CancellationToken cancellationToken)
    {
        var found = new List<(AuditRecord, long[])>();
        await foreach (var record in QueryAsync(new AuditQuery { Action = AuditAction.SubjectErased }, cancellationToken).ConfigureAwait(false))
        {
            if (ErasureDetails.TryRead(record, out var subject, out var keys) && subject == pseudonym)
                found.Add((record, keys));
        }
        return found;
    }

    private async ValueTask<ErasureMarker> ErasureMarkerAsync(string pseudonym, VaultKey key, CancellationToken cancellationToken)
    {
        foreach (var (record, keys) in await ErasureRecordsAsync(pseudonym, cancellationToken).ConfigureAwait(false))
        {
            if (Array.IndexOf(keys, key.KeyNumber) >= 0)
            {
                ErasureDetails.TryReadWho(record, out var requestedBy, out var reason);
                return new ErasureMarker(key.ErasedAt ?? record.Timestamp, requestedBy, reason, record.Sequence);
            }
        }
        return new ErasureMarker(key.ErasedAt ?? DateTimeOffset.UnixEpoch, null, null, null);
    }
}
