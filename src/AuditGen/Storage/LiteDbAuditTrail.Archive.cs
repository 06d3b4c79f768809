using System.Text;
using AuditGen.Archive;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Storage;
using AuditGen.Storage.Journal;
using LiteDB;

namespace AuditGen;

public sealed partial class LiteDbAuditTrail : IArchiveStore, IArchivingTrail
{
    private const int ArchiveProgressEvery = ArchiveRun.ProgressEvery;

    private readonly SemaphoreSlim _archiveGate = new(1, 1);

    /// <summary>Called at each step boundary of <see cref="ArchiveAsync"/> (crash tests stop the process there).</summary>
    internal Action<string>? ArchiveStepReached { get; set; }

    /// <summary>
    /// Archives the records <paramref name="selection"/> names to <paramref name="target"/>, then removes their content
    /// from the live store, leaving a stub per record (sequence, chain hash, leaf hash, segment id) so the live log still
    /// verifies alone as one chain and its Merkle tree and proofs are unchanged.
    /// </summary>
    /// <remarks>
    /// Steps, each durable before the next: the segment (gzip JSON Lines of the records' full canonical form, ascending)
    /// is published; its manifest (<see cref="ArchiveManifest"/>) is published; both are read back and every line checked
    /// (leaf and hash recomputed from its bytes and compared with the live record's and the Merkle tree's, the Merkle root,
    /// the SHA-256); an <c>archive_created</c> record is appended; the journal frames are overwritten in place by stubs
    /// (under a redo intent, so a crash mid-way is completed on the next open) and the query store's documents replaced
    /// by stubs; a <c>retention_applied</c> record (embedding <see cref="ArchiveSelection.RetentionDetailsJson"/>) is
    /// appended. Nothing is removed before the archive verified. Appends go on meanwhile; only this process's verification
    /// waits while frames are rewritten. Rerunning the same selection after a crash completes the earlier run
    /// (<see cref="ArchiveOutcome.Resumed"/>) and never writes a second segment: the segment id is derived from the selection.
    /// </remarks>
    /// <param name="selection">The sequences (ascending, distinct, not necessarily contiguous) and why.</param>
    /// <param name="target">Where the segment goes, e.g. <see cref="FolderArchiveTarget"/>.</param>
    /// <param name="progress">Receives work done so far, in records, over three passes (write, verify, prune): up to three times the selection's size.</param>
    /// <param name="cancellationToken">Cancels the run between steps; a rerun completes it.</param>
    /// <exception cref="ArgumentException">The selection is empty, unsorted, repeated, outside the trail, names the newest record, a lifecycle record (<c>checkpoint_signed</c>, <c>archive_created</c>, <c>retention_applied</c>, <c>subject_erased</c>, legal hold and policy records) or a record already archived elsewhere.</exception>
    /// <exception cref="ArchiveTargetException">The target cannot be written or read.</exception>
    /// <exception cref="ArchiveVerificationException">The archive did not verify when read back (nothing was removed).</exception>
    /// <exception cref="AuditTrailException">The trail is read-only or closed.</exception>
    public async Task<ArchiveOutcome> ArchiveAsync(ArchiveSelection selection, IArchiveTarget target, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(target);
        ThrowIfDisposed();
        if (_writer is null || _sink is null)
            throw new AuditTrailException($"The audit trail '{_path}' was opened read-only; it cannot archive records.");
        if (_tree is null)
            throw new AuditTrailException($"The audit trail '{_path}' was opened without its Merkle tree; archiving needs it.");
        ArchiveRun.CheckSelection(selection);
        await _archiveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => ArchiveRun.RunAsync(this, selection, target, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _archiveGate.Release();
        }
    }

    private void Step(string name) => ArchiveStepReached?.Invoke(name);

    // The archive_created and retention_applied records naming the segment (through the action index: there are few).
    private (AuditRecord? Created, AuditRecord? Applied) FindArchiveRecords(string segmentId)
    {
        AuditRecord? Find(AuditAction action)
        {
            foreach (var document in _records.Query().Where(Query.EQ("action", action.ToWireName())).ToEnumerable())
            {
                if (document["resourceId"] is not { IsString: true } id || id.AsString != segmentId)
                    continue;
                var record = LiteDbRecordMapping.FromDocument(document);
                if (record.ActorType == ActorType.System && record.ResourceType == ArchiveRecords.ResourceType && ArchiveRecords.SegmentOf(record) == segmentId)
                    return record;
            }
            return null;
        }
        return (Find(AuditAction.ArchiveCreated), Find(AuditAction.RetentionApplied));
    }

    string IArchiveStore.ArchiveStoreName => $"'{_path}'";

    void IArchiveStore.ArchiveStep(string name) => Step(name);

    async Task<long> IArchiveStore.PrepareArchiveAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return _sink!.DurableCount;
    }

    Task<(AuditRecord? Created, AuditRecord? Applied)> IArchiveStore.FindArchiveRecordsAsync(string segmentId, CancellationToken cancellationToken) =>
        Task.FromResult(FindArchiveRecords(segmentId));

    Task<ArchiveScan> IArchiveStore.ScanArchiveSelectionAsync(IReadOnlyList<long> sequences, string segmentId, bool resuming, CancellationToken cancellationToken) =>
        Task.FromResult<ArchiveScan>(ScanSelection(sequences, segmentId, resuming, cancellationToken));

    Task IArchiveStore.WriteArchivedRecordsAsync(ArchiveScan scan, Stream destination, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var targets = ((JournalScan)scan).Targets;
        using var journal = _journal.OpenRead();
        var buffer = new byte[1 << 16];
        for (var i = 0; i < targets.Count; i++)
        {
            var frame = targets[i];
            if (frame.PayloadLength + 1 > buffer.Length)
                buffer = new byte[frame.PayloadLength + 1];
            journal.Position = frame.Offset + JournalFormat.FrameHeaderLength;
            journal.ReadExactly(buffer, 0, frame.PayloadLength);
            if (JournalStub.IsStub(buffer.AsSpan(0, frame.PayloadLength)))
                throw new AuditTrailException($"Sequence {frame.Sequence} became a stub while its segment was written; nothing was removed.");
            buffer[frame.PayloadLength] = (byte)'\n';
            destination.Write(buffer, 0, frame.PayloadLength + 1);
            if ((i + 1) % ArchiveProgressEvery == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(i + 1);
            }
        }
        return Task.CompletedTask;
    }

    Task<IReadOnlyList<byte[]>> IArchiveStore.ReadTreeLeavesAsync(ArchiveScan scan, CancellationToken cancellationToken)
    {
        var live = _tree!;
        var leaves = new byte[scan.Count][];
        lock (live.Gate)
        {
            for (var i = 0; i < leaves.Length; i++)
                leaves[i] = live.Tree.LeafHash(scan.Sequences[i]);
        }
        return Task.FromResult<IReadOnlyList<byte[]>>(leaves);
    }

    async Task<SignedCheckpoint?> IArchiveStore.CheckpointCoveringAsync(long sequence, CancellationToken cancellationToken)
    {
        if (!_sink!.SignsCheckpoints)
            return null;
        var latest = LatestCheckpoint;
        if (latest is null || latest.Checkpoint.TreeSize <= sequence)
            latest = await CheckpointAsync(cancellationToken).ConfigureAwait(false);
        return latest;
    }

    Task IArchiveStore.PruneArchivedAsync(ArchiveScan scan, ArchiveManifest manifest, string location, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        Prune((JournalScan)scan, progress);
        return Task.CompletedTask;
    }

    ValueTask<long> IArchivingTrail.GetArchivingTreeSizeAsync(CancellationToken cancellationToken) => ValueTask.FromResult(TreeSize);

    Task<ArchiveOutcome> IArchivingTrail.ArchiveAsync(ArchiveSelection selection, IArchiveTarget target, IProgress<long>? progress, CancellationToken cancellationToken) =>
        ArchiveAsync(selection, target, progress, cancellationToken);

    /// <summary>The archived records as found in the journal: where their frames are (to rewrite them as stubs).</summary>
    private sealed class JournalScan : ArchiveScan
    {
        public required List<PruneTarget> Targets { get; init; }
    }

    // One pass over the journal up to the last selected sequence: checks each selected record may be archived and
    // chains onto the record before it, and collects its frame, leaf and hash.
    private JournalScan ScanSelection(IReadOnlyList<long> sequences, string segmentId, bool resuming, CancellationToken cancellationToken)
    {
        var targets = new List<PruneTarget>(sequences.Count);
        var hashes = new List<byte[]>(sequences.Count);
        var stubs = new List<bool>(sequences.Count);
        string? logId = null;
        string? firstPrevious = null;
        var previous = new byte[ChainHasher.HashSize];
        Span<byte> embedded = stackalloc byte[ChainHasher.HashSize];
        Span<byte> chained = stackalloc byte[ChainHasher.HashSize];
        var next = 0;
        using var stream = _journal.OpenRead();
        using var reader = new JournalReader(stream, _journal.Path, () => _sink!.DurableLength);
        while (next < sequences.Count && reader.TryReadNext(out var frame))
        {
            var header = frame.Header;
            if (header.Sequence == 0)
                logId = header.Hash;
            if ((header.Sequence & 0xFFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            if (header.Sequence == sequences[next])
            {
                var payload = frame.Payload.Span;
                var leaf = new byte[ChainHasher.HashSize];
                var stub = JournalStub.IsStub(payload);
                if (stub)
                {
                    if (!JournalStub.TryRead(payload, leaf, out var segment, out var problem))
                        throw new AuditStoreCorruptException($"The journal '{_journal.Path}' holds an unreadable pruned stub at sequence {header.Sequence}: {problem}.");
                    if (!resuming || segment != segmentId)
                        throw new ArgumentException($"Sequence {header.Sequence} was already archived (segment {segment}); it cannot be archived again.", nameof(sequences));
                }
                else
                {
                    var action = ActionOf(payload);
                    if (ArchiveRecords.LifecycleActions.Contains(action))
                        throw new ArgumentException($"Sequence {header.Sequence} is a {action} record: the log's own metadata is never archived.", nameof(sequences));
                    if (!ChainHasher.TryComputeLeafOfFull(payload, leaf, embedded))
                        LeafOfParsed(payload, header.Sequence, leaf);
                }
                var hash = new byte[ChainHasher.HashSize];
                ChainHasher.ComputeChain(previous, leaf, chained);
                if (!HashHex.TryDecode(header.Hash, hash) || !chained.SequenceEqual(hash))
                    throw new AuditStoreCorruptException(
                        $"Sequence {header.Sequence} of '{_path}' does not chain onto the record before it: the trail is damaged (run VerifyAsync). Nothing was archived.");
                firstPrevious ??= HashHex.Encode(previous);
                targets.Add(new PruneTarget(header.Sequence, frame.Offset, header.PayloadLength, leaf));
                hashes.Add(hash);
                stubs.Add(stub);
                next++;
            }
            if (!HashHex.TryDecode(header.Hash, previous))
                throw new AuditStoreCorruptException($"The journal frame of sequence {header.Sequence} in '{_journal.Path}' carries no valid hash.");
        }
        if (next < sequences.Count)
            throw new AuditStoreCorruptException(
                $"The journal '{_journal.Path}' ended before sequence {sequences[next]}{(reader.Problem is { } problem ? $": {problem}" : "")}. Nothing was archived.");
        return new JournalScan
        {
            SegmentId = segmentId,
            LogId = logId!,
            FirstPreviousHash = firstPrevious!,
            Sequences = targets.ConvertAll(t => t.Sequence),
            Leaves = targets.ConvertAll(t => t.Leaf),
            Targets = targets,
            Hashes = hashes,
            AlreadyStub = stubs,
        };
    }

    // The full form starts with the action (RFC 8785 orders members): read it without parsing the record.
    private static string ActionOf(ReadOnlySpan<byte> payload)
    {
        ReadOnlySpan<byte> prefix = "{\"action\":\""u8;
        if (payload.StartsWith(prefix))
        {
            var rest = payload[prefix.Length..];
            var end = rest.IndexOf((byte)'"');
            if (end > 0)
                return Encoding.ASCII.GetString(rest[..end]);
        }
        return AuditRecordCodec.Deserialize(payload).Action.ToWireName();
    }

    private void LeafOfParsed(ReadOnlySpan<byte> payload, long sequence, Span<byte> leaf)
    {
        try
        {
            ChainHasher.ComputeRecordHash(AuditRecordCodec.Deserialize(payload), leaf);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new AuditStoreCorruptException($"The journal record at sequence {sequence} of '{_journal.Path}' cannot be read: {e.Message} Nothing was archived.", e);
        }
    }

}
