using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Storage;

namespace AuditGen;

public sealed partial class LiteDbAuditTrail
{
    /// <summary>How many records the trail's Merkle tree covers (every durable record).</summary>
    public long TreeSize
    {
        get
        {
            var tree = Tree;
            lock (tree.Gate)
                return _sink is null ? tree.Tree.Size : Math.Min(tree.Tree.Size, _sink.DurableCount);
        }
    }

    /// <summary>The latest signed checkpoint recorded in the trail (its <c>checkpoint_signed</c> record), if any; its signature is not checked here.</summary>
    public SignedCheckpoint? LatestCheckpoint => _sink?.LatestCheckpoint ?? _openedCheckpoint;

    /// <summary>The Merkle root of the first <paramref name="treeSize"/> records.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The trail has fewer records.</exception>
    public byte[] GetRoot(long treeSize)
    {
        ThrowIfDisposed();
        CheckTreeSize(treeSize, nameof(treeSize));
        var tree = Tree;
        lock (tree.Gate)
            return tree.Tree.RootAt(treeSize);
    }

    /// <summary>
    /// The inclusion proof of the record at <paramref name="sequence"/> in the tree of the first
    /// <paramref name="treeSize"/> records (default: every durable record). Its leaf hash is recomputed from the record
    /// as stored, so a proof for an edited record does not verify against a signed root.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The sequence or size is outside the trail.</exception>
    /// <exception cref="AuditStoreCorruptException">The stored record cannot be read or hashed.</exception>
    public async ValueTask<InclusionProof> GetInclusionProofAsync(long sequence, long? treeSize = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var size = treeSize ?? TreeSize;
        CheckTreeSize(size, nameof(treeSize));
        if (sequence < 0 || sequence >= size)
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"A tree of {size} records holds sequences 0 to {size - 1}.");
        var leaf = ReadStubLeaf(sequence) ?? await ReadLeafAsync(sequence, cancellationToken).ConfigureAwait(false);
        var tree = Tree;
        lock (tree.Gate)
            return new InclusionProof(sequence, size, leaf, tree.Tree.InclusionProof(sequence, size), tree.Tree.RootAt(size));
    }

    /// <summary>The consistency proof that the first <paramref name="size1"/> records are a prefix of the first <paramref name="size2"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is outside the trail, or <paramref name="size1"/> is 0 or after <paramref name="size2"/>.</exception>
    public ConsistencyProof GetConsistencyProof(long size1, long size2)
    {
        ThrowIfDisposed();
        CheckTreeSize(size2, nameof(size2));
        if (size1 <= 0 || size1 > size2)
            throw new ArgumentOutOfRangeException(nameof(size1), size1, $"A consistency proof needs 0 < size1 ≤ size2 ({size2}).");
        var tree = Tree;
        lock (tree.Gate)
            return new ConsistencyProof(size1, size2, tree.Tree.RootAt(size1), tree.Tree.RootAt(size2), tree.Tree.ConsistencyProof(size1, size2));
    }

    /// <summary>
    /// Signs a checkpoint of every record appended before the call, appends it as a <c>checkpoint_signed</c> record and
    /// exports it; returns it once durable. When nothing was appended since the latest checkpoint, returns that one.
    /// </summary>
    /// <exception cref="AuditTrailException">The trail is read-only, signs no checkpoints (no <see cref="AuditTrailOptions.Checkpoints"/>), or is closed or faulted; or the export failed (the checkpoint is still recorded).</exception>
    public async ValueTask<SignedCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (_writer is null)
            throw new AuditTrailException($"The audit trail '{_path}' was opened read-only; it cannot sign checkpoints.");
        return await _writer.CheckpointAsync(cancellationToken).ConfigureAwait(false);
    }

    private TrailTree Tree => _tree ?? throw new InvalidOperationException("This trail was opened without its Merkle tree.");

    private void CheckTreeSize(long size, string name)
    {
        var available = TreeSize;
        if (size < 0 || size > available)
            throw new ArgumentOutOfRangeException(name, size, $"The trail '{_path}' holds {available} records.");
    }

    private async ValueTask<byte[]> ReadLeafAsync(long sequence, CancellationToken cancellationToken)
    {
        var record = await ReadRecordAsync(sequence, cancellationToken).ConfigureAwait(false);
        var leaf = new byte[ChainHasher.HashSize];
        try
        {
            ChainHasher.ComputeRecordHash(record, leaf);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new AuditStoreCorruptException($"The record at sequence {sequence} of '{_path}' cannot be hashed: {e.Message}", e);
        }
        return leaf;
    }

    // An archived record's proof uses the leaf its stub keeps (the archived record's own leaf, checked by archive verification).
    private byte[]? ReadStubLeaf(long sequence)
    {
        if (_records.FindById(sequence) is not { } document || !LiteDbStubs.IsStub(document))
            return null;
        try
        {
            return LiteDbStubs.Read(document).Leaf;
        }
        catch (FormatException e)
        {
            throw new AuditStoreCorruptException($"The pruned stub at sequence {sequence} of '{_path}' cannot be read: {e.Message}", e);
        }
    }

    private async ValueTask<AuditRecord> ReadRecordAsync(long sequence, CancellationToken cancellationToken)
    {
        var document = _records.FindById(sequence);
        if (document is not null)
        {
            try
            {
                return LiteDbRecordMapping.FromDocument(document);
            }
            catch (FormatException e)
            {
                throw new AuditStoreCorruptException($"The record at sequence {sequence} of '{_path}' cannot be read: {e.Message}", e);
            }
        }
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var record in ReadJournalRecords(sequence))
            if (record.Sequence == sequence)
                return record;
        throw new AuditStoreCorruptException($"The record at sequence {sequence} of '{_path}' is in neither the query store nor the journal.");
    }
}
