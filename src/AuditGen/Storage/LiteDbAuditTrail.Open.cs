using System.Globalization;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Integrity.Merkle;
using AuditGen.Storage;
using AuditGen.Storage.Journal;
using LiteDB;

namespace AuditGen;

public sealed partial class LiteDbAuditTrail
{
    private const int ReplayChunk = 4096;

    /// <summary>Opens the trail at <paramref name="path"/>: lock, LiteDB, journal recovery, replay, chain head.</summary>
    internal static LiteDbAuditTrail Open(string path, AuditTrailOptions options, JournalFileOpener journalOpener, bool withTree = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        if (options.TimeProvider is null)
            throw new ArgumentException("Options.TimeProvider must not be null.", nameof(options));
        if (options.MaxBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxBatchSize, "Options.MaxBatchSize must be at least 1.");
        if (options.QueueCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.QueueCapacity, "Options.QueueCapacity must be at least 1.");
        if (options.GroupCommitLinger < TimeSpan.Zero || options.GroupCommitLinger > AuditTrailOptions.MaxGroupCommitLinger)
            throw new ArgumentOutOfRangeException(nameof(options), options.GroupCommitLinger,
                $"Options.GroupCommitLinger must be between zero (off) and {AuditTrailOptions.MaxGroupCommitLinger.TotalMilliseconds} ms.");

        var fullPath = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(fullPath);
        if (directory is not null && !Directory.Exists(directory))
            throw new AuditTrailException($"Cannot open the audit trail '{fullPath}': its directory '{directory}' does not exist.");
        if (options.ReadOnly && !File.Exists(fullPath))
            throw new AuditTrailException($"Cannot open the audit trail '{fullPath}' read-only: the file does not exist.");

        _ = options.Erasure?.Validated();
        _ = options.Erasure?.ValidatedVaultDirectory();
        var writeLock = options.ReadOnly ? null : WriteLock.Acquire(fullPath + ".lock");
        LiteDatabase? database = null;
        Erasure.ISealVault? vault = null;
        IJournalFile? journal = null;
        FileMerkleNodeStore? treeStore = null;
        TrailTree? tree = null;
        try
        {
            database = OpenDatabase(fullPath, options.ReadOnly);
            var records = database.GetCollection(LiteDbRecordMapping.CollectionName, BsonAutoId.Int64);
            var (storeEnd, storeTailHash) = ReadStoreTail(fullPath, records, options.ReadOnly);
            if (withTree)
                treeStore = TrailTree.OpenStore(fullPath, options.ReadOnly);
            // The tree file is trusted up to its last sync point; the leaves after it are recomputed from the journal.
            var catchUp = new TreeCatchUp(treeStore is null ? long.MaxValue : Math.Min(treeStore.SyncedLeafCount, MerkleTree.LeafCountFor(treeStore.NodeCount)));
            journal = journalOpener(fullPath + ".journal", options.ReadOnly);
            // An interrupted prune is redone before anything reads the journal (a frame it tore is rewritten first).
            var prune = options.ReadOnly ? null : RedoInterruptedPrune(fullPath, journal);
            var state = Recover(journal, records, storeEnd, storeTailHash, options.ReadOnly, catchUp);
            if (prune is not null)
                FinishPrune(fullPath, database, records, prune.Value.Intent, prune.Value.Hashes);
            if (treeStore is not null)
            {
                tree = TrailTree.Attach(treeStore, catchUp, state.FrameCount);
                treeStore = null;
            }
            var (checkpoints, latest) = tree is null ? (null, null) : PrepareCheckpoints(fullPath, options, records, tree, journal, catchUp);
            vault = OpenVault(fullPath, options);
            return new LiteDbAuditTrail(fullPath, options, database, records, journal, writeLock, state, tree, checkpoints, latest, vault);
        }
        catch
        {
            vault?.Dispose();
            tree?.Dispose();
            treeStore?.Dispose();
            journal?.Dispose();
            database?.Dispose();
            writeLock?.Dispose();
            throw;
        }
    }

    // Finds the trail's latest checkpoint, checks the tree against it (rebuilding the tree from the journal if they
    // disagree), and, for a writer with checkpoints, refuses to extend a trail that is behind its own exported checkpoint.
    private static (CheckpointPublisher? Publisher, SignedCheckpoint? Latest) PrepareCheckpoints(string path, AuditTrailOptions options, ILiteCollection<BsonDocument> records,
        TrailTree tree, IJournalFile journal, TreeCatchUp catchUp)
    {
        var latestRecord = LatestCheckpointRecord(path, records);
        if (catchUp.LastCheckpoint is { } tail && (latestRecord is null || tail.Sequence > latestRecord.Sequence))
            latestRecord = tail;
        SignedCheckpoint? latest = null;
        if (latestRecord is not null)
        {
            try
            {
                latest = CheckpointRecords.Read(latestRecord, verifier: null);
            }
            catch (FormatException e) when (options.ReadOnly)
            {
                _ = e; // Reported by verification against a checkpoint; a reader still opens.
            }
            catch (FormatException e)
            {
                throw new AuditStoreCorruptException($"The trail '{path}' has a checkpoint_signed record at sequence {latestRecord.Sequence} that cannot be read: {e.Message}", e);
            }
        }

        if (latest is { Checkpoint: var checkpoint } && checkpoint.TreeSize <= tree.Tree.Size && !RootMatches(tree, checkpoint))
        {
            tree.Rebuild(journal);
            if (!RootMatches(tree, checkpoint) && !options.ReadOnly)
                throw new AuditStoreCorruptException(
                    $"The records of '{path}' do not hash to the root its own checkpoint (sequence {latestRecord!.Sequence}, tree size {checkpoint.TreeSize}) signed: " +
                    "the store was replaced or altered. Run `auditgen verify` with an exported checkpoint. Refusing to extend it.");
        }

        if (options.ReadOnly || options.Checkpoints is not { } checkpointOptions)
            return (null, latest);
        var signer = checkpointOptions.ResolveSigner();
        var origin = checkpointOptions.Origin ?? signer.Name;
        if (string.IsNullOrEmpty(origin) || origin.Contains('\n', StringComparison.Ordinal))
            throw new AuditTrailException("CheckpointOptions.Origin must be one non-empty line.");
        var publisher = new CheckpointPublisher(signer, origin, checkpointOptions, options.AuditLogger, options.TimeProvider.GetUtcNow());
        if (latest is not null)
            publisher.Restore(latest, latestRecord!.Timestamp);

        if (checkpointOptions.ExportDirectory is { } exportDirectory && CheckpointExport.ReadLatest(exportDirectory) is { } exportedNote)
        {
            SignedCheckpoint exported;
            try
            {
                exported = SignedCheckpoint.Parse(exportedNote, signer.Verifier);
            }
            catch (Exception e) when (e is FormatException or SignedNoteException)
            {
                throw new AuditTrailException($"The exported checkpoint in '{exportDirectory}' cannot be trusted: {e.Message}", e);
            }
            if (exported.Checkpoint.TreeSize > tree.Tree.Size)
                throw new AuditStoreCorruptException(
                    $"The trail '{path}' holds {tree.Tree.Size} records, but its exported checkpoint in '{exportDirectory}' signed {exported.Checkpoint.TreeSize}: " +
                    "it was truncated or rolled back to an older copy. Refusing to extend it (that would fork the log).");
            if (!RootMatches(tree, exported.Checkpoint))
                throw new AuditStoreCorruptException(
                    $"The first {exported.Checkpoint.TreeSize} records of '{path}' do not hash to the root of its exported checkpoint in '{exportDirectory}': " +
                    "the store was swapped or altered. Refusing to extend it.");
        }
        publisher.CatchUpExport();
        return (publisher, latest);
    }

    private static bool RootMatches(TrailTree tree, Checkpoint checkpoint)
    {
        lock (tree.Gate)
            return tree.Tree.RootAt(checkpoint.TreeSize).AsSpan().SequenceEqual(checkpoint.RootHash);
    }

    // The query store's last checkpoint_signed record (the action index narrows it to the checkpoints).
    private static AuditRecord? LatestCheckpointRecord(string path, ILiteCollection<BsonDocument> records)
    {
        try
        {
            var document = records.Query().Where(Query.EQ("action", AuditAction.CheckpointSigned.ToWireName()))
                .OrderByDescending("_id").Limit(1).FirstOrDefault();
            return document is null ? null : LiteDbRecordMapping.FromDocument(document);
        }
        catch (Exception e) when (e is FormatException or LiteException)
        {
            throw new AuditStoreCorruptException($"The latest checkpoint record of '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Opens (or creates, with ordinal collation) the LiteDB query store at <paramref name="path"/> and, for a writer,
    /// ensures its indexes. Also used by <see cref="AuditTrail.RebuildQueryStore"/> to create a fresh store.
    /// </summary>
    internal static LiteDatabase OpenDatabase(string path, bool readOnly)
    {
        try
        {
            var connection = new ConnectionString
            {
                Filename = path,
                Connection = ConnectionType.Direct,
                ReadOnly = readOnly,
            };

            // Identifiers compare exactly: an audit query for user "dr.grey" must not return "Dr.Grey" (LiteDB's default
            // is culture-aware and case-insensitive). A file keeps the collation it was created with; LiteDB refuses to
            // open one whose collation differs from the connection's, so it is only named for a new file.
            if (!File.Exists(path) || new FileInfo(path).Length == 0)
                connection.Collation = new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal);
            var database = new LiteDatabase(connection);
            try
            {
                var records = database.GetCollection(LiteDbRecordMapping.CollectionName, BsonAutoId.Int64);
                if (!readOnly)
                    LiteDbRecordMapping.EnsureIndexes(records);
                return database;
            }
            catch
            {
                database.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is LiteException or IOException or InvalidOperationException or InvalidCastException
            or IndexOutOfRangeException or ArgumentException or NullReferenceException or FormatException)
        {
            throw new AuditStoreCorruptException(
                $"The audit store '{path}' cannot be opened as a LiteDB database: {e.Message} " +
                $"The journal '{path}.journal' holds every acknowledged record; `auditgen rebuild {path}` (AuditTrail.RebuildQueryStore) rebuilds the query store from it.", e);
        }
    }

    // One past the highest position in the query store, and the hash stored there.
    private static (long End, string? TailHash) ReadStoreTail(string path, ILiteCollection<BsonDocument> records, bool readOnly)
    {
        BsonDocument? last;
        try
        {
            last = records.Query().OrderByDescending("_id").Limit(1).FirstOrDefault();
        }
        catch (LiteException e)
        {
            throw new AuditStoreCorruptException($"The audit store '{path}' cannot be read: {e.Message}", e);
        }
        if (last is null)
            return (0, null);
        try
        {
            var position = LiteDbRecordMapping.PositionOf(last);
            var hash = LiteDbRecordMapping.StoredHashOf(last);
            if (!readOnly && !AuditRecordCodec.IsHashHex(hash))
                throw new FormatException($"its stored hash '{hash}' is not 64 lower-case hex digits");
            return (position + 1, hash);
        }
        catch (FormatException e)
        {
            throw new AuditStoreCorruptException($"The last record of the audit store '{path}' cannot be read: {e.Message}", e);
        }
    }

    // An archived record's stub, replayed into a query store that lost it (LiteDB's commits are not durable).
    private static BsonDocument ReplayStub(string journalPath, JournalFrame frame, ChainVerifier replay)
    {
        var sequence = frame.Header.Sequence;
        var leaf = new byte[ChainHasher.HashSize];
        if (!JournalStub.TryRead(frame.Payload.Span, leaf, out var segment, out var problem))
            throw new AuditStoreCorruptException($"The journal '{journalPath}' holds an unreadable pruned stub at sequence {sequence}: {problem}.");
        if (!replay.ObserveStub(sequence, frame.Header.Hash, leaf))
            throw new AuditStoreCorruptException(
                $"The journal '{journalPath}' stub at sequence {sequence} does not chain onto the query store's tail: {replay.Complete().Reason}");
        return LiteDbStubs.ToDocument(sequence, frame.Header.Hash, leaf, segment!);
    }

    // Scans the journal: checks every frame, checks it agrees with the query store's tail, replays what the store lacks
    // (writer) and cuts off a torn final group commit.
    private static JournalState Recover(IJournalFile journal, ILiteCollection<BsonDocument> records, long storeEnd, string? storeTailHash, bool readOnly,
        TreeCatchUp catchUp)
    {
        using var stream = journal.OpenRead();
        using var reader = new JournalReader(stream, journal.Path);
        if (reader.IsEmpty || reader.HeaderProblem == "torn")
        {
            if (storeEnd > 0)
                throw new AuditStoreCorruptException(
                    $"The journal '{journal.Path}' is empty or missing, but the query store holds records up to sequence {storeEnd - 1}; the durable record of them is gone.");
            if (!readOnly)
            {
                journal.Truncate(0);
                journal.Append(JournalFormat.FileHeader);
                journal.FlushToDisk();
            }
            return new JournalState(0, HashHex.Zero, JournalFormat.FileHeaderLength);
        }
        if (reader.HeaderProblem is { } headerProblem)
            throw new AuditStoreCorruptException($"The journal '{journal.Path}' is not an AuditGen journal: {headerProblem}.");

        var replay = storeEnd == 0 ? new ChainVerifier() : new ChainVerifier(storeEnd, storeTailHash ?? HashHex.Zero);
        var pending = new List<BsonDocument>();
        while (reader.TryReadNext(out var frame))
        {
            var sequence = frame.Header.Sequence;
            if (sequence == storeEnd - 1 && !readOnly && frame.Header.Hash != storeTailHash)
                throw new AuditStoreCorruptException(
                    $"The query store and the journal disagree about sequence {sequence}: the store has hash {HashHex.Short(storeTailHash)}, " +
                    $"the journal '{journal.Path}' has {HashHex.Short(frame.Header.Hash)}. Refusing to extend a chain whose copies differ.");
            catchUp.Observe(frame, journal.Path);
            if (sequence < storeEnd || readOnly)
                continue;

            if (JournalStub.IsStub(frame.Payload.Span))
            {
                pending.Add(ReplayStub(journal.Path, frame, replay));
                continue;
            }
            AuditRecord record;
            try
            {
                record = AuditRecordCodec.Deserialize(frame.Payload.Span);
            }
            catch (FormatException e)
            {
                throw new AuditStoreCorruptException($"The journal '{journal.Path}' holds an unreadable record at sequence {sequence}: {e.Message}", e);
            }
            if (record.Hash != frame.Header.Hash || !replay.Observe(sequence, record))
                throw new AuditStoreCorruptException(
                    $"The journal '{journal.Path}' record at sequence {sequence} does not chain onto the query store's tail: " +
                    (replay.Complete().Reason ?? "its frame hash differs from its content's hash."));
            pending.Add(LiteDbRecordMapping.ToDocument(sequence, record));
            if (pending.Count == ReplayChunk)
            {
                records.InsertBulk(pending, pending.Count);
                pending.Clear();
            }
        }
        if (pending.Count > 0)
            records.InsertBulk(pending, pending.Count);

        if (reader.Problem is { } problem)
        {
            if (JournalTail.ExplainCorruption(stream, reader.Offset, reader.LastHeader, storeEnd) is { } corruption)
                throw new AuditStoreCorruptException($"The journal is damaged before its end: {problem}; {corruption}.");
            // A torn final group commit: it was never fsynced, so never acknowledged. Cut it off.
            if (!readOnly)
                journal.Truncate(reader.Offset);
        }

        // A read-only trail still opens, so an auditor can run VerifyAsync and see the disagreement as JournalMismatch.
        if (reader.FrameCount < storeEnd && !readOnly)
            throw new AuditStoreCorruptException(
                $"The query store holds records up to sequence {storeEnd - 1}, but the journal '{journal.Path}' ends at sequence {reader.FrameCount - 1}.");
        return new JournalState(reader.FrameCount, reader.LastHeader?.Hash ?? HashHex.Zero, reader.Offset);
    }
}

/// <summary>The journal's recovered tail: how many records, the last hash, the valid length.</summary>
internal readonly record struct JournalState(long FrameCount, string LastHash, long Length);
