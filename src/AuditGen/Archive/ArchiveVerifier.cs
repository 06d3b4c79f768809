using System.Buffers.Text;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Merkle;

namespace AuditGen.Archive;

/// <summary>
/// Verifies archive segments and the live log as one continuous history, in one pass. Before it, every segment the
/// log's <c>archive_created</c> records name is looked up: its manifest must exist, parse, and agree with the record;
/// its file must exist and have the manifest's SHA-256. Then the live verification hands it every journal link in
/// sequence order (<see cref="OnLink"/>), and each segment's lines are merged in: an archived record at sequence
/// <c>s</c> must chain exactly where the live log has sequence <c>s</c> (its leaf chained onto the live hash of
/// <c>s − 1</c> gives the live hash of <c>s</c>, and it carries that hash), and every stub must be filled by exactly
/// one archived record of the segment it names. At the end each segment's line count and Merkle root must be its
/// manifest's. The earliest failure wins and names the segment, the sequence and why.
/// </summary>
internal sealed class ArchiveVerifier : IDisposable
{
    private readonly Dictionary<string, Cursor> _cursors = new(StringComparer.Ordinal);
    private readonly PriorityQueue<Cursor, long> _pending = new();
    private readonly HashSet<string> _failedSegments = new(StringComparer.Ordinal);
    private readonly byte[] _previous = new byte[ChainHasher.HashSize];
    private readonly byte[] _leaf = new byte[ChainHasher.HashSize];
    private readonly byte[] _embedded = new byte[ChainHasher.HashSize];
    private readonly byte[] _chained = new byte[ChainHasher.HashSize];
    private VerificationResult? _first;

    private ArchiveVerifier()
    {
    }

    /// <summary>Archived records checked so far.</summary>
    public long RecordsChecked { get; private set; }

    /// <summary>Looks up every segment the <paramref name="archiveRecords"/> (<c>archive_created</c> and <c>retention_applied</c>, in sequence order) name.</summary>
    public static async Task<ArchiveVerifier> PrepareAsync(IArchiveTarget target, IReadOnlyList<AuditRecord> archiveRecords, CancellationToken cancellationToken)
    {
        var verifier = new ArchiveVerifier();
        try
        {
            foreach (var record in archiveRecords)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (record.Action == AuditAction.RetentionApplied)
                {
                    var segment = ArchiveRecords.SegmentOf(record);
                    if (segment is null || !verifier._cursors.ContainsKey(segment) && !verifier._failedSegments.Contains(segment))
                        verifier.Fail(segment, record.Sequence, VerificationFailure.ArchiveMismatch,
                            $"the retention_applied record at sequence {record.Sequence} names segment {segment ?? "(none)"}, which no earlier archive_created record describes.");
                    continue;
                }
                await verifier.OpenAsync(target, record, cancellationToken).ConfigureAwait(false);
            }
            return verifier;
        }
        catch
        {
            verifier.Dispose();
            throw;
        }
    }

    private async Task OpenAsync(IArchiveTarget target, AuditRecord created, CancellationToken cancellationToken)
    {
        ArchiveCreatedDetails details;
        try
        {
            details = ArchiveRecords.ReadCreated(created);
        }
        catch (FormatException e)
        {
            Fail(null, created.Sequence, VerificationFailure.ArchiveMismatch, e.Message);
            return;
        }
        var id = details.SegmentId;
        if (!ArchiveIds.IsValidSegmentId(id))
        {
            Fail(null, created.Sequence, VerificationFailure.ArchiveMismatch, $"the archive_created record at sequence {created.Sequence} names an invalid segment id '{id}'.");
            return;
        }
        if (_cursors.ContainsKey(id) || _failedSegments.Contains(id))
            return;

        var manifestBytes = await target.ReadManifestAsync(id, cancellationToken).ConfigureAwait(false);
        if (manifestBytes is null)
        {
            Fail(id, details.FirstSequence, VerificationFailure.ArchiveMissing, $"its manifest is missing from '{target.Location}'.");
            return;
        }
        ArchiveManifest manifest;
        try
        {
            manifest = ArchiveManifest.Parse(manifestBytes);
        }
        catch (FormatException e)
        {
            Fail(id, details.FirstSequence, VerificationFailure.ArchiveCorrupt, $"its manifest cannot be read: {e.Message}");
            return;
        }

        string? softProblem = null;
        var softKind = VerificationFailure.None;
        if (manifest.SegmentId != id || manifest.SegmentSha256 != details.Sha256 || manifest.MerkleRoot != details.MerkleRoot || manifest.Count != details.Count
            || manifest.FirstSequence != details.FirstSequence || manifest.LastSequence != details.LastSequence)
        {
            softProblem = $"its manifest does not match the archive_created record at sequence {created.Sequence} (SHA-256, Merkle root, count or range differ)";
            softKind = VerificationFailure.ArchiveMismatch;
        }

        await using (var whole = await target.OpenSegmentAsync(id, cancellationToken).ConfigureAwait(false))
        {
            if (whole is null)
            {
                Fail(id, manifest.FirstSequence, VerificationFailure.ArchiveMissing, $"its segment file is missing from '{target.Location}'.");
                return;
            }
            var sha = HashHex.Encode(await System.Security.Cryptography.SHA256.HashDataAsync(whole, cancellationToken).ConfigureAwait(false));
            if (sha != manifest.SegmentSha256)
            {
                softProblem = $"its SHA-256 is {HashHex.Short(sha)}, its manifest says {HashHex.Short(manifest.SegmentSha256)}" + (softProblem is null ? "" : $"; {softProblem}");
                softKind = VerificationFailure.ArchiveCorrupt;
            }
        }

        var stream = await target.OpenSegmentAsync(id, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            Fail(id, manifest.FirstSequence, VerificationFailure.ArchiveMissing, $"its segment file vanished from '{target.Location}' while being verified.");
            return;
        }
        var cursor = new Cursor(id, manifest, new SegmentLineReader(stream)) { SoftProblem = softProblem, SoftKind = softKind };
        _cursors.Add(id, cursor);
        Advance(cursor, after: manifest.FirstSequence - 1);
    }

    /// <summary>The live log's next link: sequence, chain hash, and the segment its stub names (null for a full record).</summary>
    public void OnLink(long sequence, string hash, string? stubSegment)
    {
        var filledByNamed = 0;
        var filled = 0;
        while (_pending.TryPeek(out var cursor, out var next) && next <= sequence)
        {
            _pending.Dequeue();
            if (next < sequence)
            {
                FailCursor(cursor, next, VerificationFailure.ArchiveCorrupt, $"its records are not in ascending sequence order (sequence {next} after {sequence - 1}).");
                continue;
            }
            if (!CheckLine(cursor, sequence, hash))
                continue;
            filled++;
            if (cursor.Id == stubSegment)
                filledByNamed++;
            Advance(cursor, sequence);
        }

        if (stubSegment is not null)
        {
            if (!_cursors.ContainsKey(stubSegment) && !_failedSegments.Contains(stubSegment))
                Fail(stubSegment, sequence, VerificationFailure.ArchiveMissing,
                    $"the live log's stub of sequence {sequence} names this segment, but no archive_created record describes it.");
            else if (filledByNamed == 0 && !_failedSegments.Contains(stubSegment))
                Fail(stubSegment, sequence, VerificationFailure.ArchiveMissing, $"sequence {sequence} was archived to it, but it does not hold that record.");
        }
        if (filled > 1)
            Fail(stubSegment, sequence, VerificationFailure.ArchiveMismatch, $"sequence {sequence} is held by {filled} segments.");
        HashHex.TryDecode(hash, _previous);
    }

    // The pending line of `cursor` must be the record the live log chained at `sequence` (hash `hash`).
    private bool CheckLine(Cursor cursor, long sequence, string hash)
    {
        var line = cursor.Line.Span;
        if (!ChainHasher.TryComputeLeafOfFull(line, _leaf, _embedded))
            return FailCursor(cursor, sequence, cursor.SoftKind == VerificationFailure.ArchiveCorrupt ? VerificationFailure.ArchiveCorrupt : VerificationFailure.ArchiveMismatch,
                $"its line for sequence {sequence} is not a record in its full canonical form ({Explain(line)}).");
        ChainHasher.ComputeChain(_previous, _leaf, _chained);
        var chained = HashHex.Encode(_chained);
        if (chained != hash || HashHex.Encode(_embedded) != hash)
        {
            var edited = chained != HashHex.Encode(_embedded) || SelfInconsistent(line);
            var what = edited
                ? $"the archived record of sequence {sequence} was edited: its content no longer hashes to its stored hash"
                : $"the archived record of sequence {sequence} is not the record the live log chained there (hash {HashHex.Short(HashHex.Encode(_embedded))}, the live log has {HashHex.Short(hash)})";
            return FailCursor(cursor, sequence, cursor.SoftKind == VerificationFailure.ArchiveCorrupt ? VerificationFailure.ArchiveCorrupt : VerificationFailure.ArchiveMismatch, what + ".");
        }
        cursor.Tree.Append(_leaf);
        cursor.Lines++;
        RecordsChecked++;
        return true;
    }

    private static bool SelfInconsistent(ReadOnlySpan<byte> line)
    {
        try
        {
            var record = AuditRecordCodec.Deserialize(line);
            return ChainHasher.ComputeRecordHash(record) != record.Hash;
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return true;
        }
    }

    private static string Explain(ReadOnlySpan<byte> line)
    {
        try
        {
            AuditRecordCodec.Deserialize(line);
            return "its members are not laid out canonically";
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    // Reads the cursor's next line and queues it under its sequence; at the end, leaves it out of the queue.
    private void Advance(Cursor cursor, long after)
    {
        try
        {
            if (!cursor.Reader.TryReadLine(out var line))
            {
                cursor.AtEnd = true;
                return;
            }
            cursor.Line = line;
        }
        catch (InvalidDataException e)
        {
            FailCursor(cursor, after + 1, VerificationFailure.ArchiveCorrupt, $"it cannot be decompressed after sequence {after}: {e.Message}.");
            return;
        }
        if (SequenceOf(cursor.Line.Span) is not { } sequence || sequence <= after)
        {
            FailCursor(cursor, after + 1, VerificationFailure.ArchiveCorrupt, $"its line after sequence {after} carries no later sequence ({Explain(cursor.Line.Span)}).");
            return;
        }
        _pending.Enqueue(cursor, sequence);
    }

    // The top-level "sequence" member: the last `,"sequence":` (only string, integer and null members follow it in canonical order).
    private static long? SequenceOf(ReadOnlySpan<byte> line)
    {
        ReadOnlySpan<byte> name = ",\"sequence\":"u8;
        var at = line.LastIndexOf(name);
        if (at < 0)
            return null;
        return Utf8Parser.TryParse(line[(at + name.Length)..], out long sequence, out _) ? sequence : null;
    }

    /// <summary>The first failure over everything, or <see langword="null"/> when archives and live log agree.</summary>
    public VerificationResult? Complete()
    {
        while (_pending.TryDequeue(out var cursor, out var next))
            FailCursor(cursor, next, VerificationFailure.ArchiveMismatch, $"it holds sequence {next}, which is beyond the live log's end.");
        foreach (var cursor in _cursors.Values)
        {
            if (_failedSegments.Contains(cursor.Id) || !cursor.AtEnd)
                continue;
            var manifest = cursor.Manifest;
            if (cursor.Lines != manifest.Count)
                FailCursor(cursor, manifest.FirstSequence, VerificationFailure.ArchiveCorrupt, $"it holds {cursor.Lines} records, its manifest says {manifest.Count}.");
            else if (HashHex.Encode(cursor.Tree.Root()) != manifest.MerkleRoot)
                FailCursor(cursor, manifest.FirstSequence, VerificationFailure.ArchiveCorrupt, "the Merkle root of its records differs from its manifest's.");
            else if (cursor.SoftProblem is { } problem)
                FailCursor(cursor, manifest.FirstSequence, cursor.SoftKind, problem + ".");
        }
        return _first;
    }

    /// <summary>The verdict over the live log's <paramref name="live"/> result and the archives: the live failure first, then the archives'.</summary>
    public VerificationResult Finish(VerificationResult live)
    {
        if (!live.IsValid)
            return live;
        return Complete() is { } failure
            ? failure with { RecordsChecked = live.RecordsChecked, HeadHash = live.HeadHash, Checkpoint = live.Checkpoint, ArchivedRecordsChecked = RecordsChecked }
            : live with { ArchivedRecordsChecked = RecordsChecked };
    }

    private bool FailCursor(Cursor cursor, long sequence, VerificationFailure failure, string reason)
    {
        if (cursor.SoftProblem is { } soft && !reason.StartsWith(soft, StringComparison.Ordinal))
            reason = $"{soft}; {reason}";
        Fail(cursor.Id, sequence, failure, reason);
        _failedSegments.Add(cursor.Id);
        return false;
    }

    private void Fail(string? segment, long sequence, VerificationFailure failure, string reason)
    {
        if (segment is not null)
            _failedSegments.Add(segment);
        if (_first is not null && _first.FirstBrokenSequence <= sequence)
            return;
        _first = new VerificationResult
        {
            RecordsChecked = 0,
            FirstBrokenSequence = sequence,
            Failure = failure,
            Reason = segment is null ? $"Archives: {reason}" : $"Archive segment {segment}: {reason}",
            ArchiveSegment = segment,
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var cursor in _cursors.Values)
            cursor.Reader.Dispose();
    }

    private sealed class Cursor(string id, ArchiveManifest manifest, SegmentLineReader reader)
    {
        public string Id { get; } = id;
        public ArchiveManifest Manifest { get; } = manifest;
        public SegmentLineReader Reader { get; } = reader;
        public MerkleTree Tree { get; } = new(new DiscardingMerkleNodeStore());
        public ReadOnlyMemory<byte> Line { get; set; }
        public long Lines { get; set; }
        public bool AtEnd { get; set; }
        public string? SoftProblem { get; init; }
        public VerificationFailure SoftKind { get; init; }
    }
}
