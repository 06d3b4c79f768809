using System.Globalization;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Storage;
using AuditGen.Storage.Journal;
using LiteDB;

namespace AuditGen;

/// <summary>The outcome of <see cref="AuditTrail.RebuildQueryStore"/>.</summary>
/// <param name="RecordsIndexed">How many journal records the fresh query store holds (sequences 0 to this minus 1).</param>
/// <param name="DamagedStoreMovedTo">
/// Where the previous LiteDB file was moved (never deleted), or <see langword="null"/> when there was none.
/// </param>
/// <param name="TornTailIgnored">
/// The journal ended in a torn group commit (a crash before its fsync returned, so never acknowledged). Its frames were
/// not indexed and the journal was left as it is; the next writer open cuts the torn bytes off.
/// </param>
public sealed record RebuildResult(long RecordsIndexed, string? DamagedStoreMovedTo, bool TornTailIgnored = false);

public static partial class AuditTrail
{
    private const int RebuildChunk = 4096;

    /// <summary>
    /// Rebuilds the LiteDB query store of the trail at <paramref name="path"/> from its journal
    /// (<c>{path}.journal</c>), the trail's durability point. Use it when the LiteDB file is damaged or lost.
    /// </summary>
    /// <remarks>
    /// Takes the trail's write lock, reads the whole journal and verifies its chain (frame CRCs, sequences from 0, each
    /// record's hash recomputed, previous-hash links). Only when the whole journal checks out does it touch the disk: an
    /// existing LiteDB file (and its <c>-log</c> file) is renamed to <c>{name}.damaged-{UTC yyyyMMddHHmmss}</c>, a fresh
    /// store is created and every record is indexed. A torn final group commit is not indexed (see
    /// <see cref="RebuildResult.TornTailIgnored"/>). The journal itself is never modified.
    /// </remarks>
    /// <param name="path">The trail's LiteDB path: the path the trail is opened with.</param>
    /// <param name="options">Only <see cref="AuditTrailOptions.TimeProvider"/> is used (it stamps the damaged store's new name).</param>
    /// <exception cref="AuditTrailLockedException">Another writer holds the trail.</exception>
    /// <exception cref="AuditStoreCorruptException">The journal is damaged or its chain is broken; nothing was changed on disk.</exception>
    /// <exception cref="AuditTrailException">The journal does not exist, or <paramref name="options"/> asks for a read-only trail.</exception>
    public static RebuildResult RebuildQueryStore(string path, AuditTrailOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new AuditTrailOptions();
        if (options.TimeProvider is null)
            throw new ArgumentException("Options.TimeProvider must not be null.", nameof(options));
        if (options.ReadOnly)
            throw new AuditTrailException("Rebuilding the query store writes to the trail; it cannot be done with ReadOnly options.");

        var fullPath = Path.GetFullPath(path);
        var journalPath = fullPath + ".journal";
        var directory = Path.GetDirectoryName(fullPath);
        if (directory is not null && !Directory.Exists(directory))
            throw new AuditTrailException($"Cannot rebuild the audit trail '{fullPath}': its directory '{directory}' does not exist.");
        if (!File.Exists(journalPath))
            throw new AuditTrailException($"Cannot rebuild the audit trail '{fullPath}': its journal '{journalPath}' does not exist, so there is nothing to rebuild from.");

        using var writeLock = WriteLock.Acquire(fullPath + ".lock");

        // Pass 1: verify the whole journal. Nothing on disk changes unless it checks out.
        var (count, tornTail) = VerifyJournal(journalPath);

        // Pass 2: move the damaged store aside, create a fresh one and index the verified records.
        var stamp = options.TimeProvider.GetUtcNow().UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var logPath = LiteDbLogPath(fullPath);
        string? movedTo = null;
        if (File.Exists(fullPath))
            movedTo = MoveAside(fullPath, stamp);
        if (File.Exists(logPath))
            MoveAside(logPath, stamp);

        using (var database = LiteDbAuditTrail.OpenDatabase(fullPath, readOnly: false))
        {
            var records = database.GetCollection(LiteDbRecordMapping.CollectionName, BsonAutoId.Int64);
            IndexJournal(journalPath, count, records);
        }
        return new RebuildResult(count, movedTo, tornTail);
    }

    // Reads every frame and checks the chain. Returns how many records to index, and whether a torn tail was ignored.
    private static (long Count, bool TornTail) VerifyJournal(string journalPath)
    {
        using var stream = new FileStream(journalPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var reader = new JournalReader(stream, journalPath);
        if (reader.IsEmpty || reader.HeaderProblem == "torn")
            throw new AuditStoreCorruptException($"The journal '{journalPath}' is empty: it holds no records to rebuild the query store from.");
        if (reader.HeaderProblem is { } headerProblem)
            throw new AuditStoreCorruptException($"The journal '{journalPath}' is not an AuditGen journal: {headerProblem}.");

        var previousHash = HashHex.Zero;
        Span<byte> leaf = stackalloc byte[ChainHasher.HashSize];
        Span<byte> previous = stackalloc byte[ChainHasher.HashSize];
        Span<byte> chained = stackalloc byte[ChainHasher.HashSize];
        while (reader.TryReadNext(out var frame))
        {
            var sequence = frame.Header.Sequence;
            if (JournalStub.IsStub(frame.Payload.Span))
            {
                // An archived record's stub: its link is its leaf chained onto the previous hash.
                if (!JournalStub.TryRead(frame.Payload.Span, leaf, out _, out var stubProblem))
                    throw Broken(journalPath, sequence, $"its pruned stub cannot be read: {stubProblem}");
                HashHex.TryDecode(previousHash, previous);
                ChainHasher.ComputeChain(previous, leaf, chained);
                if (!string.Equals(HashHex.Encode(chained), frame.Header.Hash, StringComparison.Ordinal))
                    throw Broken(journalPath, sequence, $"its pruned stub's leaf does not chain onto {(sequence == 0 ? "the genesis hash" : $"the hash of sequence {sequence - 1}")} to its hash {HashHex.Short(frame.Header.Hash)}");
                previousHash = frame.Header.Hash;
                continue;
            }
            AuditRecord record;
            try
            {
                record = AuditRecordCodec.Deserialize(frame.Payload.Span);
            }
            catch (FormatException e)
            {
                throw Broken(journalPath, sequence, $"its record cannot be read: {e.Message}", e);
            }
            if (record.Sequence != sequence)
                throw Broken(journalPath, sequence, $"its frame holds a record carrying sequence {record.Sequence}");
            string actualHash;
            try
            {
                actualHash = ChainHasher.ComputeRecordHash(record);
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                throw Broken(journalPath, sequence, $"its record cannot be hashed: {e.Message}", e);
            }
            if (!string.Equals(actualHash, record.Hash, StringComparison.Ordinal))
                throw Broken(journalPath, sequence,
                    $"its stored hash {HashHex.Short(record.Hash)} differs from its content's hash {HashHex.Short(actualHash)}");
            if (!string.Equals(record.Hash, frame.Header.Hash, StringComparison.Ordinal))
                throw Broken(journalPath, sequence,
                    $"its frame header carries hash {HashHex.Short(frame.Header.Hash)} but its record hashes to {HashHex.Short(record.Hash)}");
            if (!string.Equals(record.PreviousHash, previousHash, StringComparison.Ordinal))
                throw Broken(journalPath, sequence,
                    $"its previous hash {HashHex.Short(record.PreviousHash)} does not match " +
                    $"{(sequence == 0 ? "the genesis hash" : $"the hash of sequence {sequence - 1}")} {HashHex.Short(previousHash)}");
            previousHash = record.Hash;
        }

        if (reader.Problem is not { } problem)
            return (reader.FrameCount, false);
        if (JournalTail.ExplainCorruption(stream, reader.Offset, reader.LastHeader, indexedCount: 0) is { } corruption)
            throw new AuditStoreCorruptException(
                $"The journal is damaged before its end: {problem}; {corruption}. Nothing was changed; the query store cannot be rebuilt from it.");

        // A torn final group commit was never acknowledged. Index only the commits before it: the next writer open
        // replays whatever intact frames of that commit remain and cuts off the torn bytes, exactly as after a crash.
        var tornCommit = reader.LastHeader is not { } last ? 0 : last.EndsCommit ? last.Sequence + 1 : last.CommitFirst;
        return (Math.Min(tornCommit, reader.FrameCount), true);
    }

    private static void IndexJournal(string journalPath, long count, ILiteCollection<BsonDocument> records)
    {
        using var stream = new FileStream(journalPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var reader = new JournalReader(stream, journalPath);
        var pending = new List<BsonDocument>(RebuildChunk);
        long indexed = 0;
        while (indexed < count && reader.TryReadNext(out var frame))
        {
            pending.Add(JournalStub.IsStub(frame.Payload.Span)
                ? StubDocument(frame)
                : LiteDbRecordMapping.ToDocument(frame.Header.Sequence, AuditRecordCodec.Deserialize(frame.Payload.Span)));
            indexed++;
            if (pending.Count == RebuildChunk)
            {
                records.InsertBulk(pending, pending.Count);
                pending.Clear();
            }
        }
        if (pending.Count > 0)
            records.InsertBulk(pending, pending.Count);
        if (indexed != count)
            throw new AuditStoreCorruptException(
                $"The journal '{journalPath}' changed during the rebuild: {count} records were verified but only {indexed} could be read back.");
    }

    private static BsonDocument StubDocument(JournalFrame frame)
    {
        var leaf = new byte[ChainHasher.HashSize];
        JournalStub.TryRead(frame.Payload.Span, leaf, out var segment, out _);
        return LiteDbStubs.ToDocument(frame.Header.Sequence, frame.Header.Hash, leaf, segment!);
    }

    private static AuditStoreCorruptException Broken(string journalPath, long sequence, string what, Exception? inner = null)
    {
        var message = $"The journal '{journalPath}' is broken at sequence {sequence}: {what}. Nothing was changed; the query store cannot be rebuilt from it.";
        return inner is null ? new AuditStoreCorruptException(message) : new AuditStoreCorruptException(message, inner);
    }

    // LiteDB keeps its write-ahead log beside the data file as "{name}-log{ext}".
    private static string LiteDbLogPath(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? "", Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));

    // Renames (never deletes) a damaged file to "{file}.damaged-{stamp}", adding "-1", "-2", ... if that name is taken.
    private static string MoveAside(string file, string stamp)
    {
        var target = $"{file}.damaged-{stamp}";
        for (var attempt = 1; File.Exists(target) || Directory.Exists(target); attempt++)
            target = $"{file}.damaged-{stamp}-{attempt.ToString(CultureInfo.InvariantCulture)}";
        File.Move(file, target);
        return target;
    }
}
