using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Merkle;
using AuditGen.Storage.Journal;

namespace AuditGen.Storage;

/// <summary>
/// The trail's Merkle tree over its records' leaf hashes, kept in <c>{path}.tree</c> (<see cref="FileMerkleNodeStore"/>).
/// The single writer appends each group commit's leaves under <see cref="Gate"/>; proof readers take the same lock.
/// The file is derived data: it is fsynced per checkpoint, every <see cref="SyncEveryLeaves"/> leaves and on close, and
/// on open everything after its last sync point is recomputed from the journal, so neither a SIGKILL nor a power loss
/// can leave a tree that disagrees with the chain, and an open rehashes at most the records since that sync point.
/// </summary>
internal sealed class TrailTree : IDisposable
{
    /// <summary>The tree file is fsynced at least this often (in leaves), bounding what an open recomputes.</summary>
    public const int SyncEveryLeaves = 16_384;

    private readonly FileMerkleNodeStore _store;
    private long _syncedAt;

    private TrailTree(FileMerkleNodeStore store, MerkleTree tree)
    {
        _store = store;
        Tree = tree;
        _syncedAt = tree.Size;
    }

    /// <summary>Held while the tree changes or is read.</summary>
    public object Gate { get; } = new();

    /// <summary>The tree (use under <see cref="Gate"/>).</summary>
    public MerkleTree Tree { get; private set; }

    /// <summary>The tree file's path.</summary>
    public string Path => _store.Path;

    /// <summary>Opens the tree file of the trail at <paramref name="trailPath"/>; see <see cref="TreeCatchUp"/> for how it is brought level with the journal.</summary>
    public static FileMerkleNodeStore OpenStore(string trailPath, bool readOnly)
    {
        try
        {
            return FileMerkleNodeStore.Open(trailPath + ".tree", readOnly);
        }
        catch (InvalidDataException e)
        {
            throw new AuditStoreCorruptException($"{e.Message} It is derived data: move it aside and the next open rebuilds it from the journal.", e);
        }
    }

    /// <summary>
    /// The tree over exactly the journal's <paramref name="journalCount"/> records: the store's trusted prefix plus the
    /// leaves <paramref name="catchUp"/> computed from the journal after it.
    /// </summary>
    public static TrailTree Attach(FileMerkleNodeStore store, TreeCatchUp catchUp, long journalCount)
    {
        var keep = Math.Min(catchUp.From, journalCount);
        store.Truncate(MerkleTree.NodeCountFor(keep));
        var tree = new MerkleTree(store);
        foreach (var leaf in catchUp.Leaves)
            if (tree.Size < journalCount)
                tree.Append(leaf);
        store.Commit();
        if (tree.Size != journalCount)
            throw new AuditStoreCorruptException($"The Merkle tree '{store.Path}' could not be brought level with the journal ({tree.Size} of {journalCount} leaves).");
        return new TrailTree(store, tree);
    }

    /// <summary>Recomputes the whole tree from the journal (the tree file disagreed with a signed checkpoint).</summary>
    public void Rebuild(IJournalFile journal)
    {
        lock (Gate)
        {
            var size = Tree.Size;
            var catchUp = new TreeCatchUp(0);
            using (var stream = journal.OpenRead())
            using (var reader = new JournalReader(stream, journal.Path))
            {
                while (reader.TryReadNext(out var frame) && frame.Header.Sequence < size)
                    catchUp.Observe(frame, journal.Path);
            }
            _store.Truncate(0);
            var fresh = new MerkleTree(_store);
            foreach (var leaf in catchUp.Leaves)
                fresh.Append(leaf);
            _store.Sync();
            if (fresh.Size != size)
                throw new AuditStoreCorruptException($"Rebuilding the Merkle tree '{_store.Path}' read {fresh.Size} of {size} journal records.");
            Tree = fresh;
            _syncedAt = size;
        }
    }

    /// <summary>Writes the nodes appended since the last call, and fsyncs the file when due or <paramref name="sync"/> (call under <see cref="Gate"/>).</summary>
    public void Commit(bool sync)
    {
        _store.Commit();
        if (sync || Tree.Size - _syncedAt >= SyncEveryLeaves)
        {
            _store.Sync();
            _syncedAt = Tree.Size;
        }
    }

    /// <summary>Makes the whole tree durable (a clean close: the next open recomputes nothing).</summary>
    public void Close()
    {
        lock (Gate)
            Commit(sync: true);
    }

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();
}

/// <summary>Leaf hashes recomputed from journal frames from sequence <see cref="From"/> on (the tree file's trusted end).</summary>
internal sealed class TreeCatchUp(long from)
{
    /// <summary>The first sequence whose leaf is recomputed.</summary>
    public long From { get; } = from;

    /// <summary>Recomputed leaves, for sequences <see cref="From"/>, <see cref="From"/> + 1, …</summary>
    public List<byte[]> Leaves { get; } = [];

    /// <summary>The last <c>checkpoint_signed</c> record among the recomputed ones (it may not be in the query store yet).</summary>
    public AuditRecord? LastCheckpoint { get; private set; }

    /// <summary>Recomputes the leaf of <paramref name="frame"/> when it is at or after <see cref="From"/>.</summary>
    /// <exception cref="AuditStoreCorruptException">The frame's record cannot be read.</exception>
    public void Observe(JournalFrame frame, string journalPath)
    {
        if (frame.Header.Sequence < From)
            return;
        if (JournalStub.IsStub(frame.Payload.Span))
        {
            var stubLeaf = new byte[ChainHasher.HashSize];
            if (!JournalStub.TryRead(frame.Payload.Span, stubLeaf, out _, out var problem))
                throw new AuditStoreCorruptException($"The journal '{journalPath}' holds an unreadable pruned stub at sequence {frame.Header.Sequence}: {problem}.");
            Leaves.Add(stubLeaf);
            return;
        }
        AuditRecord record;
        try
        {
            record = AuditRecordCodec.Deserialize(frame.Payload.Span);
        }
        catch (FormatException e)
        {
            throw new AuditStoreCorruptException($"The journal '{journalPath}' holds an unreadable record at sequence {frame.Header.Sequence}: {e.Message}", e);
        }
        var leaf = new byte[ChainHasher.HashSize];
        try
        {
            ChainHasher.ComputeRecordHash(record, leaf);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new AuditStoreCorruptException($"The journal '{journalPath}' holds a record at sequence {frame.Header.Sequence} that cannot be hashed: {e.Message}", e);
        }
        Leaves.Add(leaf);
        if (record.Action == AuditAction.CheckpointSigned)
            LastCheckpoint = record;
    }
}
