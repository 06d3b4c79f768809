using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Integrity.Merkle;
using AuditGen.PostgreSql.Storage;
using AuditGen.Storage;
using Npgsql;

namespace AuditGen.PostgreSql;

public sealed partial class PostgreSqlAuditTrail
{
    /// <summary>How many records the log's Merkle tree covers (every committed record, once a writer of schema version 2 has appended).</summary>
    public async ValueTask<long> GetTreeSizeAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadTreeSizeAsync(connection, LogId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The Merkle root of the first <paramref name="treeSize"/> records.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The tree has fewer records.</exception>
    public async ValueTask<byte[]> GetRootAsync(long treeSize, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var available = await ReadTreeSizeAsync(connection, LogId, cancellationToken).ConfigureAwait(false);
        CheckTreeSize(treeSize, available, nameof(treeSize));
        return new MerkleTree(new PostgreSqlMerkleNodeStore(connection, LogId, treeSize)).Root();
    }

    /// <summary>
    /// The inclusion proof of the record at <paramref name="sequence"/> in the tree of the first
    /// <paramref name="treeSize"/> records (default: the whole tree). Its leaf hash is recomputed from the record as
    /// stored, so a proof for an edited record does not verify against a signed root.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The sequence or size is outside the tree.</exception>
    /// <remarks>An archived record's proof uses the leaf its stub keeps; check the record itself against it from its archive segment.</remarks>
    /// <exception cref="AuditStoreCorruptException">The record is neither live nor archived, or cannot be read or hashed; or a node is missing.</exception>
    public async ValueTask<InclusionProof> GetInclusionProofAsync(long sequence, long? treeSize = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var available = await ReadTreeSizeAsync(connection, LogId, cancellationToken).ConfigureAwait(false);
        var size = treeSize ?? available;
        CheckTreeSize(size, available, nameof(treeSize));
        if (sequence < 0 || sequence >= size)
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"A tree of {size} records holds sequences 0 to {size - 1}.");

        AuditRecord record;
        await using (var command = new NpgsqlCommand(RecordRows.SelectBySequenceSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sequence });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                // An archived record's proof uses the leaf its stub keeps (the archived record's own, checked by archive verification).
                var stubLeaf = await ReadStubLeafAsync(connection, sequence, cancellationToken).ConfigureAwait(false)
                    ?? throw new AuditStoreCorruptException($"The record at sequence {sequence} of PostgreSQL log '{LogId}' is neither in the database nor archived: the log is damaged (run VerifyAsync).");
                var stubTree = new MerkleTree(new PostgreSqlMerkleNodeStore(connection, LogId, size));
                return new InclusionProof(sequence, size, stubLeaf, stubTree.InclusionProof(sequence, size), stubTree.Root());
            }
            try
            {
                record = RecordRows.Read(reader);
            }
            catch (FormatException e)
            {
                throw new AuditStoreCorruptException($"The record at sequence {sequence} of PostgreSQL log '{LogId}' cannot be read: {e.Message}", e);
            }
        }
        var leaf = new byte[ChainHasher.HashSize];
        try
        {
            ChainHasher.ComputeRecordHash(record, leaf);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new AuditStoreCorruptException($"The record at sequence {sequence} of PostgreSQL log '{LogId}' cannot be hashed: {e.Message}", e);
        }
        var tree = new MerkleTree(new PostgreSqlMerkleNodeStore(connection, LogId, size));
        return new InclusionProof(sequence, size, leaf, tree.InclusionProof(sequence, size), tree.Root());
    }

    private async Task<byte[]?> ReadStubLeafAsync(NpgsqlConnection connection, long sequence, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT leaf FROM auditgen.archived_records WHERE log_id = $1 AND sequence = $2", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sequence });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    /// <summary>The consistency proof that the first <paramref name="size1"/> records are a prefix of the first <paramref name="size2"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is outside the tree, or <paramref name="size1"/> is 0 or after <paramref name="size2"/>.</exception>
    public async ValueTask<ConsistencyProof> GetConsistencyProofAsync(long size1, long size2, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var available = await ReadTreeSizeAsync(connection, LogId, cancellationToken).ConfigureAwait(false);
        CheckTreeSize(size2, available, nameof(size2));
        if (size1 <= 0 || size1 > size2)
            throw new ArgumentOutOfRangeException(nameof(size1), size1, $"A consistency proof needs 0 < size1 ≤ size2 ({size2}).");
        var tree = new MerkleTree(new PostgreSqlMerkleNodeStore(connection, LogId, size2));
        return new ConsistencyProof(size1, size2, tree.RootAt(size1), tree.Root(), tree.ConsistencyProof(size1, size2));
    }

    /// <summary>The latest signed checkpoint recorded in the log (its <c>checkpoint_signed</c> record), by any writer; its signature is not checked here.</summary>
    /// <exception cref="AuditStoreCorruptException">The latest checkpoint record carries no well-formed checkpoint.</exception>
    public async ValueTask<SignedCheckpoint?> GetLatestCheckpointAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return (await ReadLatestCheckpointAsync(connection, LogId, cancellationToken).ConfigureAwait(false))?.Checkpoint;
    }

    /// <summary>
    /// Signs a checkpoint of every record in the log up to this writer's next group commit, appends it as a
    /// <c>checkpoint_signed</c> record and exports it; returns it once durable. When nothing was appended since the
    /// latest checkpoint, returns that one.
    /// </summary>
    /// <exception cref="AuditTrailException">The trail is read-only, signs no checkpoints (no <see cref="AuditTrailOptions.Checkpoints"/>), or is closed or faulted; or the export failed (the checkpoint is still recorded).</exception>
    public async ValueTask<SignedCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (_writer is null)
            throw new AuditTrailException($"PostgreSQL log '{LogId}' was opened read-only; it cannot sign checkpoints.");
        return await _writer.CheckpointAsync(cancellationToken).ConfigureAwait(false);
    }

    private void CheckTreeSize(long size, long available, string name)
    {
        if (size < 0 || size > available)
            throw new ArgumentOutOfRangeException(name, size, $"The Merkle tree of PostgreSQL log '{LogId}' holds {available} records.");
    }

    private static async Task<long> ReadTreeSizeAsync(NpgsqlConnection connection, string logId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(TreeNodes.NodeCountSql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = logId });
        var nodes = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        var size = MerkleTree.LeafCountFor(nodes);
        if (MerkleTree.NodeCountFor(size) != nodes)
            throw new AuditStoreCorruptException($"The Merkle tree of PostgreSQL log '{logId}' holds {nodes} nodes, which is no complete tree (nearest: {size} leaves).");
        return size;
    }

    private static async Task<(SignedCheckpoint Checkpoint, AuditRecord Record)?> ReadLatestCheckpointAsync(NpgsqlConnection connection, string logId,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {RecordRows.Columns} FROM auditgen.records WHERE log_id = $1 AND action = 'checkpoint_signed' ORDER BY sequence DESC LIMIT 1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = logId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return null;
        try
        {
            var record = RecordRows.Read(reader);
            return (CheckpointRecords.Read(record, verifier: null), record);
        }
        catch (FormatException e)
        {
            throw new AuditStoreCorruptException($"The latest checkpoint record of PostgreSQL log '{logId}' cannot be read: {e.Message} Run VerifyAsync for the full diagnosis.", e);
        }
    }

    // The writer's checkpoint policy, restored from the log's latest checkpoint (any writer's); an exported checkpoint
    // the log no longer reaches, or whose root its records no longer give, refuses the open (extending would fork the log).
    private static async Task<(CheckpointPublisher?, long?)> PrepareCheckpointsAsync(NpgsqlConnection connection, string logId, AuditTrailOptions options,
        CancellationToken cancellationToken)
    {
        if (options.Checkpoints is not { } checkpointOptions)
            return (null, null);
        var signer = checkpointOptions.ResolveSigner();
        var origin = checkpointOptions.Origin ?? signer.Name;
        if (string.IsNullOrEmpty(origin) || origin.Contains('\n', StringComparison.Ordinal))
            throw new AuditTrailException("CheckpointOptions.Origin must be one non-empty line.");
        var publisher = new CheckpointPublisher(signer, origin, checkpointOptions, options.AuditLogger, options.TimeProvider.GetUtcNow());
        var latest = await ReadLatestCheckpointAsync(connection, logId, cancellationToken).ConfigureAwait(false);
        if (latest is { } found)
            publisher.Restore(found.Checkpoint, found.Record.Timestamp);

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
            var treeSize = await ReadTreeSizeAsync(connection, logId, cancellationToken).ConfigureAwait(false);
            if (exported.Checkpoint.TreeSize > treeSize)
                throw new AuditStoreCorruptException(
                    $"PostgreSQL log '{logId}' holds {treeSize} records in its tree, but its exported checkpoint in '{exportDirectory}' signed {exported.Checkpoint.TreeSize}: " +
                    "it was truncated or rolled back. Refusing to extend it (that would fork the log).");
            var root = new MerkleTree(new PostgreSqlMerkleNodeStore(connection, logId, exported.Checkpoint.TreeSize)).Root();
            if (!root.AsSpan().SequenceEqual(exported.Checkpoint.RootHash))
                throw new AuditStoreCorruptException(
                    $"The first {exported.Checkpoint.TreeSize} records of PostgreSQL log '{logId}' do not hash to the root of its exported checkpoint in '{exportDirectory}': " +
                    "the log was replaced or altered. Refusing to extend it.");
        }
        publisher.CatchUpExport();
        return (publisher, latest?.Record.Sequence);
    }
}
