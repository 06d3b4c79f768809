using System.IO.Compression;
using AuditGen.Integrity;
using AuditGen.Integrity.Merkle;

namespace AuditGen.Archive;

/// <summary>
/// One archive run, the same on every store (<see cref="IArchiveStore"/> gives the store's part): the segment is published,
/// then its manifest; both are read back and every line checked against the live records and the Merkle tree; an
/// <c>archive_created</c> record is appended; the store replaces the records by stubs; a <c>retention_applied</c>
/// record is appended. Nothing is removed before the archive verified, and a rerun of the same selection after a crash
/// at any step completes it (the segment id is derived from the selection).
/// </summary>
internal static class ArchiveRun
{
    public const int ProgressEvery = 4096;

    /// <summary>The checks that need no store: sequences ascending, distinct, not negative; details a JSON object.</summary>
    /// <exception cref="ArgumentException">The selection is not valid.</exception>
    public static void CheckSelection(ArchiveSelection selection)
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

    public static async Task<ArchiveOutcome> RunAsync(IArchiveStore store, ArchiveSelection selection, IArchiveTarget target, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        var sequences = selection.Sequences;
        var durable = await store.PrepareArchiveAsync(cancellationToken).ConfigureAwait(false);
        if (sequences[^1] >= durable)
            throw new ArgumentException($"Sequence {sequences[^1]} is not in the trail {store.ArchiveStoreName}, which holds sequences 0 to {durable - 1}.", nameof(selection));
        if (sequences[^1] == durable - 1)
            throw new ArgumentException($"Sequence {sequences[^1]} is the chain's newest record; it is never archived (the next append continues from it).", nameof(selection));

        var segmentId = ArchiveIds.For(sequences);
        var (created, applied) = await store.FindArchiveRecordsAsync(segmentId, cancellationToken).ConfigureAwait(false);
        if (applied is not null)
        {
            var done = await ReadManifestAsync(target, segmentId, cancellationToken).ConfigureAwait(false)
                ?? throw new AuditTrailException($"The selection was archived to segment {segmentId} and removed (retention_applied at sequence {applied.Sequence}), " +
                    $"but the archive target '{target.Location}' holds no readable manifest for it.");
            return new ArchiveOutcome(done, created ?? throw new AuditStoreCorruptException(
                $"The trail {store.ArchiveStoreName} has a retention_applied record for segment {segmentId} (sequence {applied.Sequence}) but no archive_created record for it."), applied, Resumed: true);
        }

        var scan = await store.ScanArchiveSelectionAsync(sequences, segmentId, resuming: created is not null, cancellationToken).ConfigureAwait(false);
        var resumed = created is not null;
        ArchiveManifest manifest;
        if (created is null)
        {
            var existing = await ReadManifestAsync(target, segmentId, cancellationToken).ConfigureAwait(false);
            if (existing is not null && await VerifyPublishedAsync(store, target, existing, scan, null, cancellationToken).ConfigureAwait(false) is null)
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
                manifest = await WriteSegmentAsync(store, target, scan, progress, cancellationToken).ConfigureAwait(false);
                if (await VerifyPublishedAsync(store, target, manifest, scan, progress, cancellationToken).ConfigureAwait(false) is { } problem)
                    throw new ArchiveVerificationException($"The archive segment {segmentId} written to '{target.Location}' did not verify when read back: {problem} Nothing was removed from the trail.");
            }
            created = await store.AppendAsync(ArchiveRecords.ArchiveCreated(manifest, target.Location), cancellationToken).ConfigureAwait(false);
            store.ArchiveStep("archive-created");
        }
        else
        {
            manifest = await ReadManifestAsync(target, segmentId, cancellationToken).ConfigureAwait(false)
                ?? throw new AuditTrailException($"The trail's archive_created record (sequence {created.Sequence}) names segment {segmentId}, " +
                    $"but the archive target '{target.Location}' holds no readable manifest for it. Nothing more was removed; restore the segment and its manifest, then rerun.");
            var recorded = ArchiveRecords.ReadCreated(created);
            if (recorded.Sha256 != manifest.SegmentSha256 || recorded.MerkleRoot != manifest.MerkleRoot || recorded.Count != manifest.Count)
                throw new ArchiveVerificationException($"The manifest of segment {segmentId} in '{target.Location}' does not match the archive_created record (sequence {created.Sequence}). Nothing more was removed.");
            if (await VerifyPublishedAsync(store, target, manifest, scan, null, cancellationToken).ConfigureAwait(false) is { } problem)
                throw new ArchiveVerificationException($"The archive segment {segmentId} in '{target.Location}' does not verify: {problem} Nothing more was removed.");
        }

        await store.PruneArchivedAsync(scan, manifest, target.Location, progress, cancellationToken).ConfigureAwait(false);
        store.ArchiveStep("pruned");
        applied = await store.AppendAsync(ArchiveRecords.RetentionApplied(manifest, selection.RetentionDetailsJson), cancellationToken).ConfigureAwait(false);
        return new ArchiveOutcome(manifest, created, applied, resumed);
    }

    /// <summary>The manifest of <paramref name="segmentId"/>, or null when the target has none or it does not parse.</summary>
    public static async Task<ArchiveManifest?> ReadManifestAsync(IArchiveTarget target, string segmentId, CancellationToken cancellationToken)
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

    private static async Task<ArchiveManifest> WriteSegmentAsync(IArchiveStore store, IArchiveTarget target, ArchiveScan scan, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        byte[]? sha = null;
        long bytes = 0;
        await target.PublishSegmentAsync(scan.SegmentId, async (stream, token) =>
        {
            var hashing = new HashingWriteStream(stream);
            await using (var gzip = new GZipStream(hashing, CompressionLevel.Fastest, leaveOpen: true))
                await store.WriteArchivedRecordsAsync(scan, gzip, progress, token).ConfigureAwait(false);
            sha = hashing.Sha256();
            bytes = hashing.BytesWritten;
        }, cancellationToken).ConfigureAwait(false);
        progress?.Report(scan.Count);
        store.ArchiveStep("segment-written");

        var tree = new MerkleTree(new DiscardingMerkleNodeStore());
        foreach (var leaf in scan.Leaves)
            tree.Append(leaf);
        var checkpoint = await store.CheckpointCoveringAsync(scan.Sequences[^1], cancellationToken).ConfigureAwait(false);
        var now = store.Options.TimeProvider.GetUtcNow();
        var manifest = new ArchiveManifest
        {
            SegmentId = scan.SegmentId,
            LogId = scan.LogId,
            FirstSequence = scan.Sequences[0],
            LastSequence = scan.Sequences[^1],
            Count = scan.Count,
            FirstPreviousHash = scan.FirstPreviousHash,
            LastHash = HashHex.Encode(scan.Hashes[^1]),
            MerkleRoot = HashHex.Encode(tree.Root()),
            SegmentSha256 = HashHex.Encode(sha!),
            SegmentBytes = bytes,
            CreatedAt = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero),
            CheckpointNote = checkpoint?.NoteText,
            CheckpointTreeSize = checkpoint?.Checkpoint.TreeSize,
        };
        await target.PublishManifestAsync(scan.SegmentId, manifest.ToCanonicalJson(), cancellationToken).ConfigureAwait(false);
        store.ArchiveStep("manifest-written");
        return manifest;
    }

    // Re-reads the manifest and the segment from the target and checks every line against the live records; returns the
    // first problem, or null when the archive holds exactly the scanned records.
    private static async Task<string?> VerifyPublishedAsync(IArchiveStore store, IArchiveTarget target, ArchiveManifest manifest, ArchiveScan scan,
        IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var id = scan.SegmentId;
        var stored = await target.ReadManifestAsync(id, cancellationToken).ConfigureAwait(false);
        if (stored is null)
            return "its manifest is missing.";
        if (!stored.AsSpan().SequenceEqual(manifest.ToCanonicalJson()))
            return "its manifest reads back different from what was written.";
        var count = scan.Count;
        if (manifest.SegmentId != id || manifest.LogId != scan.LogId || manifest.Count != count || manifest.FirstSequence != scan.Sequences[0]
            || manifest.LastSequence != scan.Sequences[^1] || manifest.FirstPreviousHash != scan.FirstPreviousHash
            || manifest.LastHash != HashHex.Encode(scan.Hashes[^1]))
            return "its manifest describes other records (id, log, range, count or boundary hashes differ).";

        var treeLeaves = await store.ReadTreeLeavesAsync(scan, cancellationToken).ConfigureAwait(false);
        await using var stream = await target.OpenSegmentAsync(id, cancellationToken).ConfigureAwait(false);
        if (stream is null)
            return "its segment file is missing.";
        using var lines = new SegmentLineReader(stream);
        var tree = new MerkleTree(new DiscardingMerkleNodeStore());
        var leaf = new byte[ChainHasher.HashSize];
        var embedded = new byte[ChainHasher.HashSize];
        var i = 0;
        try
        {
            while (lines.TryReadLine(out var line))
            {
                if (i >= count)
                    return $"the segment holds more than the {count} records of its manifest.";
                var sequence = scan.Sequences[i];
                if (!ChainHasher.TryComputeLeafOfFull(line.Span, leaf, embedded))
                    return $"line {i + 1} (sequence {sequence}) is not a record in its full canonical form.";
                if (!leaf.AsSpan().SequenceEqual(scan.Leaves[i]) || !embedded.AsSpan().SequenceEqual(scan.Hashes[i]))
                    return $"line {i + 1} does not hold the live record of sequence {sequence} (its leaf or hash differs).";
                if (!treeLeaves[i].AsSpan().SequenceEqual(leaf))
                    return $"line {i + 1} (sequence {sequence}) does not match the trail's Merkle tree leaf.";
                tree.Append(leaf);
                i++;
                if (i % ProgressEvery == 0)
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
