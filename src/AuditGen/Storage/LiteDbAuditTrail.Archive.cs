using System.IO.Compression;
using System.Text;
using AuditGen.Archive;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Merkle;
using AuditGen.Storage;
using AuditGen.Storage.Journal;
using LiteDB;

namespace AuditGen;

public sealed partial class LiteDbAuditTrail
{
    private const int ArchiveProgressEvery = 4096;

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
    /// <exception cref="AuditTrailException">The trail is read-only or closed, or the archive did not verify when read back (nothing was removed).</exception>
    public async Task<ArchiveOutcome> ArchiveAsync(ArchiveSelection selection, IArchiveTarget target, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(target);
        ThrowIfDisposed();
        if (_writer is null || _sink is null)
            throw new AuditTrailException($"The audit trail '{_path}' was opened read-only; it cannot archive records.");
        if (_tree is null)
            throw new AuditTrailException($"The audit trail '{_path}' was opened without its Merkle tree; archiving needs it.");
        CheckSelection(selection);
        await _archiveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => ArchiveCoreAsync(selection, target, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _archiveGate.Release();
        }
    }

    private static void CheckSelection(ArchiveSelection selection)
    {
        var sequences = selection.Sequences ?? throw new ArgumentException("The selection's Sequences must not be null.", nameof(selection));
        if (sequences.Count == 0)
            throw new ArgumentException("The selection is empty: name at least one sequence to archive.", nameof(selection));
        if (sequences[0] < 0)
            throw new ArgumentException($"Sequence {sequences[0]} is negative; sequences start at 0.", nameof(selection));
        for (var i = 1; i < sequences.Count; i++)
            if (sequences[i] <= sequences[i - 1])
                throw new ArgumentException(
                    $"Sequence {sequences[i]} follows {sequences[i - 1]}: the selection's sequences must be ascending and distinct.", nameof(selection));
        ArchiveRecords.RequireObject(selection.RetentionDetailsJson ?? throw new ArgumentException("RetentionDetailsJson must not be null.", nameof(selection)), nameof(selection));
    }

    private async Task<ArchiveOutcome> ArchiveCoreAsync(ArchiveSelection selection, IArchiveTarget target, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var sequences = selection.Sequences;
        var durable = _sink!.DurableCount;
        if (sequences[^1] >= durable)
            throw new ArgumentException($"Sequence {sequences[^1]} is not in the trail '{_path}', which holds sequences 0 to {durable - 1}.", nameof(selection));
        if (sequences[^1] == durable - 1)
            throw new ArgumentException($"Sequence {sequences[^1]} is the chain's newest record; it is never archived (the next append continues from it).", nameof(selection));

        var segmentId = ArchiveIds.For(sequences);
        var (created, applied) = FindArchiveRecords(segmentId);
        if (applied is not null)
        {
            var done = await ReadManifestAsync(target, segmentId, cancellationToken).ConfigureAwait(false)
                ?? throw new AuditTrailException($"The selection was archived to segment {segmentId} and removed (retention_applied at sequence {applied.Sequence}), " +
                    $"but the archive target '{target.Location}' holds no readable manifest for it.");
            return new ArchiveOutcome(done, created ?? throw new AuditStoreCorruptException(
                $"The trail '{_path}' has a retention_applied record for segment {segmentId} (sequence {applied.Sequence}) but no archive_created record for it."), applied, Resumed: true);
        }

        var scan = ScanSelection(sequences, segmentId, resuming: created is not null, cancellationToken);
        var resumed = created is not null;
        ArchiveManifest manifest;
        if (created is null)
        {
            var existing = await ReadManifestAsync(target, segmentId, cancellationToken).ConfigureAwait(false);
            if (existing is not null && await VerifyPublishedAsync(target, existing, scan, null, cancellationToken).ConfigureAwait(false) is null)
            {
                manifest = existing;
                resumed = true;
            }
            else
            {
                if (existing is not null)
                {
                    resumed = true;
                }
                else
                {
                    await using var earlier = await target.OpenSegmentAsync(segmentId, cancellationToken).ConfigureAwait(false);
                    resumed = earlier is not null;
                }
                manifest = await WriteSegmentAsync(target, scan, progress, cancellationToken).ConfigureAwait(false);
                if (await VerifyPublishedAsync(target, manifest, scan, progress, cancellationToken).ConfigureAwait(false) is { } problem)
                    throw new AuditTrailException($"The archive segment {segmentId} written to '{target.Location}' did not verify when read back: {problem} Nothing was removed from the trail.");
            }
            created = await AppendAsync(ArchiveRecords.ArchiveCreated(manifest, target.Location), cancellationToken).ConfigureAwait(false);
            Step("archive-created");
        }
        else
        {
            manifest = await ReadManifestAsync(target, segmentId, cancellationToken).ConfigureAwait(false)
                ?? throw new AuditTrailException($"The trail's archive_created record (sequence {created.Sequence}) names segment {segmentId}, " +
                    $"but the archive target '{target.Location}' holds no readable manifest for it. Nothing more was removed; restore the segment and its manifest, then rerun.");
            var recorded = ArchiveRecords.ReadCreated(created);
            if (recorded.Sha256 != manifest.SegmentSha256 || recorded.MerkleRoot != manifest.MerkleRoot || recorded.Count != manifest.Count)
                throw new AuditTrailException($"The manifest of segment {segmentId} in '{target.Location}' does not match the archive_created record (sequence {created.Sequence}). Nothing more was removed.");
            if (await VerifyPublishedAsync(target, manifest, scan, null, cancellationToken).ConfigureAwait(false) is { } problem)
                throw new AuditTrailException($"The archive segment {segmentId} in '{target.Location}' does not verify: {problem} Nothing more was removed.");
        }

        Prune(scan, progress);
        Step("pruned");
        applied = await AppendAsync(ArchiveRecords.RetentionApplied(manifest, selection.RetentionDetailsJson), cancellationToken).ConfigureAwait(false);
        return new ArchiveOutcome(manifest, created, applied, resumed);
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

    private static async Task<ArchiveManifest?> ReadManifestAsync(IArchiveTarget target, string segmentId, CancellationToken cancellationToken)
    {
        var bytes = await target.ReadManifestAsync(segmentId, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
            return null;
        try
        {
            return ArchiveManifest.Parse(bytes);
        }
        catch (FormatException)
        {
            // A manifest that does not parse is treated as absent: the run (re)publishes a correct one.
            return null;
        }
    }

    /// <summary>The archived records as found in the journal: where their frames are, their leaves and hashes.</summary>
    private sealed class SelectionScan
    {
        public required string SegmentId { get; init; }
        public required string LogId { get; init; }
        public required string FirstPreviousHash { get; init; }
        public required List<PruneTarget> Targets { get; init; }
        public required List<byte[]> Hashes { get; init; }
        public required List<bool> AlreadyStub { get; init; }
    }

    // One pass over the journal up to the last selected sequence: checks each selected record may be archived and
    // chains onto the record before it, and collects its frame, leaf and hash.
    private SelectionScan ScanSelection(IReadOnlyList<long> sequences, string segmentId, bool resuming, CancellationToken cancellationToken)
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
        return new SelectionScan
        {
            SegmentId = segmentId,
            LogId = logId!,
            FirstPreviousHash = firstPrevious!,
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

    private async Task<ArchiveManifest> WriteSegmentAsync(IArchiveTarget target, SelectionScan scan, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        byte[]? sha = null;
        long bytes = 0;
        await target.PublishSegmentAsync(scan.SegmentId, (stream, token) =>
        {
            var hashing = new HashingWriteStream(stream);
            using (var gzip = new GZipStream(hashing, CompressionLevel.Fastest, leaveOpen: true))
            using (var journal = _journal.OpenRead())
            {
                var buffer = new byte[1 << 16];
                for (var i = 0; i < scan.Targets.Count; i++)
                {
                    var frame = scan.Targets[i];
                    if (frame.PayloadLength + 1 > buffer.Length)
                        buffer = new byte[frame.PayloadLength + 1];
                    journal.Position = frame.Offset + JournalFormat.FrameHeaderLength;
                    journal.ReadExactly(buffer, 0, frame.PayloadLength);
                    if (JournalStub.IsStub(buffer.AsSpan(0, frame.PayloadLength)))
                        throw new AuditTrailException($"Sequence {frame.Sequence} became a stub while its segment was written; nothing was removed.");
                    buffer[frame.PayloadLength] = (byte)'\n';
                    gzip.Write(buffer, 0, frame.PayloadLength + 1);
                    if ((i + 1) % ArchiveProgressEvery == 0)
                    {
                        token.ThrowIfCancellationRequested();
                        progress?.Report(i + 1);
                    }
                }
            }
            sha = hashing.Sha256();
            bytes = hashing.BytesWritten;
            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
        progress?.Report(scan.Targets.Count);
        Step("segment-written");

        var tree = new MerkleTree(new DiscardingMerkleNodeStore());
        foreach (var frame in scan.Targets)
            tree.Append(frame.Leaf);
        string? note = null;
        long? treeSize = null;
        if (_sink!.SignsCheckpoints)
        {
            var latest = LatestCheckpoint;
            if (latest is null || latest.Checkpoint.TreeSize <= scan.Targets[^1].Sequence)
                latest = await CheckpointAsync(cancellationToken).ConfigureAwait(false);
            note = latest.NoteText;
            treeSize = latest.Checkpoint.TreeSize;
        }
        var now = Options.TimeProvider.GetUtcNow();
        var manifest = new ArchiveManifest
        {
            SegmentId = scan.SegmentId,
            LogId = scan.LogId,
            FirstSequence = scan.Targets[0].Sequence,
            LastSequence = scan.Targets[^1].Sequence,
            Count = scan.Targets.Count,
            FirstPreviousHash = scan.FirstPreviousHash,
            LastHash = HashHex.Encode(scan.Hashes[^1]),
            MerkleRoot = HashHex.Encode(tree.Root()),
            SegmentSha256 = HashHex.Encode(sha!),
            SegmentBytes = bytes,
            CreatedAt = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero),
            CheckpointNote = note,
            CheckpointTreeSize = treeSize,
        };
        await target.PublishManifestAsync(scan.SegmentId, manifest.ToCanonicalJson(), cancellationToken).ConfigureAwait(false);
        Step("manifest-written");
        return manifest;
    }

    // Re-reads the manifest and the segment from the target and checks every line against the live records; returns the
    // first problem, or null when the archive holds exactly the scanned records.
    private async Task<string?> VerifyPublishedAsync(IArchiveTarget target, ArchiveManifest manifest, SelectionScan scan, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var id = scan.SegmentId;
        var stored = await target.ReadManifestAsync(id, cancellationToken).ConfigureAwait(false);
        if (stored is null)
            return "its manifest is missing.";
        if (!stored.AsSpan().SequenceEqual(manifest.ToCanonicalJson()))
            return "its manifest reads back different from what was written.";
        var count = scan.Targets.Count;
        if (manifest.SegmentId != id || manifest.LogId != scan.LogId || manifest.Count != count || manifest.FirstSequence != scan.Targets[0].Sequence
            || manifest.LastSequence != scan.Targets[^1].Sequence || manifest.FirstPreviousHash != scan.FirstPreviousHash
            || manifest.LastHash != HashHex.Encode(scan.Hashes[^1]))
            return "its manifest describes other records (id, log, range, count or boundary hashes differ).";

        await using var stream = await target.OpenSegmentAsync(id, cancellationToken).ConfigureAwait(false);
        if (stream is null)
            return "its segment file is missing.";
        using var lines = new SegmentLineReader(stream);
        var tree = new MerkleTree(new DiscardingMerkleNodeStore());
        var leaf = new byte[ChainHasher.HashSize];
        var embedded = new byte[ChainHasher.HashSize];
        var live = _tree!;
        var i = 0;
        try
        {
            while (lines.TryReadLine(out var line))
            {
                if (i >= count)
                    return $"the segment holds more than the {count} records of its manifest.";
                var frame = scan.Targets[i];
                if (!ChainHasher.TryComputeLeafOfFull(line.Span, leaf, embedded))
                    return $"line {i + 1} (sequence {frame.Sequence}) is not a record in its full canonical form.";
                if (!leaf.AsSpan().SequenceEqual(frame.Leaf) || !embedded.AsSpan().SequenceEqual(scan.Hashes[i]))
                    return $"line {i + 1} does not hold the live record of sequence {frame.Sequence} (its leaf or hash differs).";
                byte[] treeLeaf;
                lock (live.Gate)
                    treeLeaf = live.Tree.LeafHash(frame.Sequence);
                if (!treeLeaf.AsSpan().SequenceEqual(leaf))
                    return $"line {i + 1} (sequence {frame.Sequence}) does not match the trail's Merkle tree leaf.";
                tree.Append(leaf);
                i++;
                if (i % ArchiveProgressEvery == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report(count + i);
                }
            }
        }
        catch (InvalidDataException e)
        {
            return $"the segment cannot be decompressed after {i} records: {e.Message}.";
        }
        if (i != count)
            return $"the segment holds {i} records, its manifest says {count}.";
        var sha = HashHex.Encode(lines.FinishSha256());
        if (sha != manifest.SegmentSha256 || lines.CompressedBytes != manifest.SegmentBytes)
            return $"the segment's SHA-256 is {HashHex.Short(sha)} ({lines.CompressedBytes} bytes), its manifest says {HashHex.Short(manifest.SegmentSha256)} ({manifest.SegmentBytes} bytes).";
        if (HashHex.Encode(tree.Root()) != manifest.MerkleRoot)
            return "the Merkle root of the segment's leaves differs from its manifest's.";
        progress?.Report(2L * count);
        return null;
    }
}
