using System.Text.Json;
using AuditGen.Redaction;

namespace AuditGen.Erasure;

/// <summary>
/// Reading sealed values and erasing a data subject by crypto-shredding, for any store: the logic behind
/// <c>ReadSealedAsync</c> and <c>EraseSubjectAsync</c> of the LiteDB and the PostgreSQL trail, over the trail's public
/// API (<see cref="IAuditTrail.QueryAsync"/>, <see cref="IAuditTrail.AppendAsync"/>) and its vault. Each trail owns one and
/// delegates to it after its own checks (closed, read-only); see docs/design-notes.md, "Erasure".
/// </summary>
/// <param name="trail">The trail whose records are read and to which the <c>subject_erased</c> record is appended.</param>
/// <param name="vault">The trail's vault: writable for a writer with erasure options, read-only or null otherwise.</param>
/// <param name="vaultLocation">Where the vault is (or would be), for messages.</param>
/// <param name="options">The trail's options (commitment and HMAC keys, clock).</param>
/// <param name="location">The trail as messages name it, e.g. <c>'/data/audit.db'</c> or <c>PostgreSQL log 'tenant-1'</c>.</param>
internal sealed partial class SubjectErasure(IAuditTrail trail, ISealVault? vault, string vaultLocation, AuditTrailOptions options, string location)
{
    private const int MaxReasonLength = 1024;

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The key schedule the trail seals with, or null (and why) when it cannot seal.</summary>
    public SealingKeys? SealingKeys(out string whyNot)
    {
        whyNot = options.ReadOnly ? $"the trail {location} was opened read-only"
            : options.Erasure is null ? $"the trail {location} was opened without {nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.Erasure)}"
            : vault is null ? $"the trail {location} has no writable vault"
            : "";
        return whyNot.Length == 0 ? options.Erasure!.Keys : null;
    }

    /// <summary>See <c>LiteDbAuditTrail.ReadSealedAsync</c>; the trail has checked its argument and that it is open.</summary>
    public async ValueTask<SealedContent> ReadSealedAsync(AuditRecord record, CancellationToken cancellationToken)
    {
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
        var key = vault?.Key(keyNumber)
            ?? throw new SealedContentTamperedException(record.Sequence, first, SealedContentProblem.KeyMissing,
                $"Record {record.Sequence} seals values under vault key {keyNumber}, but the vault '{vaultLocation}' has no such key: it was lost or replaced.");
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

        var frames = vault!.Frames(keyNumber, record.Id);
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

    /// <summary>See <c>LiteDbAuditTrail.EraseSubjectAsync</c>; the trail has checked its arguments and that it is open and writable.</summary>
    public async Task<SubjectErasureResult> EraseSubjectAsync(string subjectId, string reason, string requestedBy, CancellationToken cancellationToken)
    {
        var keys = RequireCommitmentKey("erase a subject");
        var writable = vault ?? throw new AuditTrailException($"Cannot erase a subject on {location}: it has no writable vault.");

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await trail.FlushAsync(cancellationToken).ConfigureAwait(false);
            var pseudonym = keys.Pseudonym(subjectId);
            var pseudonymText = Base64Url.Encode(pseudonym);
            var subjectKeys = writable.KeysOf(pseudonym);
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
            var destroyed = writable.Erase(pseudonym, options.TimeProvider.GetUtcNow());
            ErasureSteps.Reach("payloads-deleted");
            var entry = ErasureEntry(pseudonymText, ScrubReason(reason, subjectId), requestedBy, destroyed, records.Count, pending);
            var record = await trail.AppendAsync(entry, CancellationToken.None).ConfigureAwait(false);
            return new SubjectErasureResult(live ? SubjectErasureOutcome.Erased : SubjectErasureOutcome.Completed,
                pseudonymText, record, destroyed.KeysDestroyed, destroyed.SealedValues, records.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    private SealingKeys RequireCommitmentKey(string what) =>
        options.Erasure is { } erasure
            ? erasure.Keys
            : throw new AuditTrailException(
                $"Cannot {what} on {location}: it needs the trail's commitment key. Open it with " +
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
        var candidates = trail is ISealedRecordLookup lookup
            ? lookup.SealedRecordsAsync(Base64Url.Encode(pseudonym), cancellationToken)
            : trail.QueryAsync(new AuditQuery(), cancellationToken);
        await foreach (var record in candidates.ConfigureAwait(false))
        {
            if (record.Sealed is not null && SealFormat.TryParseHeader(record.Sealed, out _, out var p) && p.AsSpan().SequenceEqual(pseudonym))
                records.Add(record);
        }
        return records;
    }

    private async Task<List<(AuditRecord Record, long[] Keys)>> ErasureRecordsAsync(string pseudonym, CancellationToken cancellationToken)
    {
        var found = new List<(AuditRecord, long[])>();
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.SubjectErased }, cancellationToken).ConfigureAwait(false))
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
