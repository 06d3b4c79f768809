using AuditGen.Storage;

namespace AuditGen.Erasure;

/// <summary>
/// The vault's part in a group commit, run by the trail's single writer. Before the entries are stamped, each one with
/// sealed values gets its subject's live key (created durably when the subject has none) and the record's
/// <see cref="AuditRecord.Sealed"/> reference; once the records are chained (their ids known), the values are encrypted
/// and written to the vault and fsynced, before the journal's fsync acknowledges anyone. So an acknowledged record never
/// commits to a payload the vault does not hold; a failure here faults the writer like a journal failure (nothing of the
/// batch is acknowledged).
/// </summary>
internal sealed class VaultCommit(ISealVault vault, SealingKeys keys, TimeProvider time)
{
    private readonly Dictionary<TaskCompletionSource<AuditRecord>, (VaultKey Key, SealedPayloads Payloads)> _pending = new(ReferenceEqualityComparer.Instance);
    private readonly List<VaultFrame> _frames = [];

    /// <summary>The vault's part in the group commit of a trail opened with <paramref name="options"/>; null when it cannot seal.</summary>
    public static VaultCommit? For(ISealVault? vault, AuditTrailOptions options) =>
        !options.ReadOnly && vault is not null && options.Erasure is { } erasure ? new VaultCommit(vault, erasure.Keys, options.TimeProvider) : null;

    /// <summary>The vault.</summary>
    public ISealVault Vault => vault;

    /// <summary>The key schedule values are sealed with.</summary>
    public SealingKeys Keys => keys;

    /// <summary><paramref name="appends"/> with every sealed entry pointed at its subject's key (the same list when none is sealed).</summary>
    public IReadOnlyList<WriteRequest> AssignKeys(IReadOnlyList<WriteRequest> appends)
    {
        _pending.Clear();
        List<WriteRequest>? assigned = null;
        for (var i = 0; i < appends.Count; i++)
        {
            var request = appends[i];
            if (request.Entry?.SealedPayloads is not { } payloads || request.Completion!.Task.IsCompleted)
                continue;
            assigned ??= [.. appends];
            var key = vault.LiveKey(payloads.SubjectPseudonym, time.GetUtcNow());
            var entry = request.Entry with { Sealed = SealFormat.Header(key.KeyNumber, key.Pseudonym), SealedPayloads = null };
            assigned[i] = new WriteRequest(entry, request.CanonicalDetails, request.Completion, request.QueuedAt);
            _pending[request.Completion] = (key, payloads);
        }
        return assigned ?? appends;
    }

    /// <summary>Encrypts and durably writes the sealed values of the chained <paramref name="batch"/>.</summary>
    public void WritePayloads(SequencedBatch batch) =>
        WritePayloads(batch.Records.Count, i => batch.Completions[i], i => batch.Records[i].Id);

    /// <summary>
    /// Encrypts and durably writes the sealed values of <paramref name="appends"/> (as returned by <see cref="AssignKeys"/>)
    /// under the record ids of their <paramref name="stamps"/>, index for index: for a sink that stamps a group commit once
    /// and links it onto a tail it learns only when it commits (the frames name record ids, not sequences).
    /// </summary>
    public void WritePayloads(IReadOnlyList<WriteRequest> appends, IReadOnlyList<RecordStamp> stamps) =>
        WritePayloads(appends.Count, i => appends[i].Completion!, i => stamps[i].Id);

    private void WritePayloads(int count, Func<int, TaskCompletionSource<AuditRecord>> completion, Func<int, Guid> recordId)
    {
        if (_pending.Count == 0)
            return;
        _frames.Clear();
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (!_pending.TryGetValue(completion(i), out var sealedValues))
                    continue;
                foreach (var value in sealedValues.Payloads.Values)
                    _frames.Add(SealCrypto.Seal(keys, sealedValues.Key, recordId(i), value));
            }
            _frames.Sort(static (a, b) => a.KeyNumber.CompareTo(b.KeyNumber));
            vault.Write(_frames);
        }
        finally
        {
            foreach (var (_, payloads) in _pending.Values)
            {
                foreach (var value in payloads.Values)
                    value.Clear();
            }
            _pending.Clear();
            _frames.Clear();
        }
    }

    /// <summary>For a sink without a vault: fails every entry that carries sealed values (they would be lost), leaves the rest.</summary>
    public static void RefuseSealed(IReadOnlyList<WriteRequest> appends, string store)
    {
        foreach (var request in appends)
        {
            if (request.Entry?.SealedPayloads is not null)
                request.Completion?.TrySetException(new AuditTrailException(
                    $"The audit trail '{store}' keeps no vault, so it cannot store sealed values: the record was refused. " +
                    $"Open it with {nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.Erasure)} set."));
        }
    }
}
