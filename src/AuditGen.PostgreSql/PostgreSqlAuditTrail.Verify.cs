using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Integrity.Merkle;
using AuditGen.PostgreSql.Storage;
using Npgsql;

namespace AuditGen.PostgreSql;

public sealed partial class PostgreSqlAuditTrail
{
    /// <inheritdoc />
    /// <remarks>
    /// Streams the log in sequence order through the same <c>ChainVerifier</c> as every store, recomputes the Merkle tree
    /// from the records and compares it node by node with the stored tree, and checks every <c>checkpoint_signed</c>
    /// record against the records before it. A log whose oldest records were deleted by retention starts from the
    /// archive manifest that ends right before its first live record (the manifest's last hash is the chain's anchor);
    /// its tree and checkpoints are then not recomputed (their leaves are in the archive). A chain cannot show a cut-off
    /// tail or a wholesale replacement by someone who may rewrite the tables: a signed checkpoint kept off-box does, with
    /// <see cref="VerifyAsync(SignedCheckpoint?, IProgress{long}?, CancellationToken)"/> (see docs/postgresql.md).
    /// </remarks>
    public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) => VerifyAsync(null, null, cancellationToken);

    /// <summary>
    /// Verifies the log as <see cref="VerifyAsync(CancellationToken)"/> does and, when <paramref name="checkpoint"/> is
    /// given, that the log still holds exactly what that checkpoint committed to: fewer records is
    /// <see cref="VerificationFailure.Truncated"/> (or <see cref="VerificationFailure.RolledBack"/>), other records is
    /// <see cref="VerificationFailure.Swapped"/>, naming the checkpoint (<see cref="VerificationResult.Checkpoint"/>).
    /// </summary>
    /// <param name="checkpoint">A signed checkpoint of this log kept off-box (e.g. the exported <c>checkpoint</c> file), or null.</param>
    /// <param name="progress">Receives the number of records verified so far.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <exception cref="AuditTrailException">A checkpoint was given, but the log's oldest records were archived: verify the archive against it.</exception>
    public async ValueTask<VerificationResult> VerifyAsync(SignedCheckpoint? checkpoint, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for the anchor and the rows, so a concurrent retention run cannot pull records out from between them.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var anchored = await StartVerifierAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (anchored is not null && checkpoint is not null)
            throw new AuditTrailException(
                $"PostgreSQL log '{LogId}' starts at sequence {anchored.Value.First}: the records before it were archived, so the log alone cannot be checked against a checkpoint of the whole tree. Verify the archive segments with it.");

        // Started after the records' snapshot: nodes are append-only and committed with their records, so this one
        // holds at least every node of the records read.
        await using var nodeConnection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var treeCheck = anchored is null ? new TreeCheck(nodeConnection, LogId) : null;
        var explicitCheckpoint = checkpoint is not null;
        if (treeCheck is not null && checkpoint is null)
            checkpoint = (await ReadLatestCheckpointAsync(connection, LogId, cancellationToken).ConfigureAwait(false))?.Checkpoint;
        var checkpoints = treeCheck is not null && checkpoint is not null ? new CheckpointVerifier(checkpoint) : null;
        long accepted = 0;
        var verifier = anchored?.Verifier ?? new ChainVerifier((record, leaf) =>
        {
            treeCheck!.Observe(leaf);
            checkpoints?.Observe(record, leaf);
            if (++accepted % 4096 == 0)
                progress?.Report(accepted);
        });

        await using (var command = new NpgsqlCommand(
            $"SELECT {RecordRows.Columns} FROM auditgen.records WHERE log_id = $1 ORDER BY sequence", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var position = reader.GetInt64(0);
                AuditRecord record;
                try
                {
                    record = RecordRows.Read(reader);
                }
                catch (Exception e) when (e is FormatException or InvalidCastException)
                {
                    if (!verifier.ObserveMalformed(position, e.Message))
                        break;
                    continue;
                }
                if (!verifier.Observe(position, record))
                    break;
            }
        }
        progress?.Report(accepted);
        var result = verifier.Complete();
        if (!result.IsValid)
            return explicitCheckpoint ? result with { Checkpoint = checkpoint } : result;
        // The checkpoint's verdict first (it says what happened to the log: cut, rolled back, swapped), then the tree's.
        if (checkpoints is not null)
        {
            var checkedResult = checkpoints.Complete(result);
            if (!checkedResult.IsValid)
                return checkedResult;
            if (explicitCheckpoint)
                result = checkedResult;
        }
        if (treeCheck?.Mismatch is { } mismatch)
            return result with
            {
                FirstBrokenSequence = mismatch.Leaf,
                Failure = VerificationFailure.JournalMismatch,
                Reason = $"The Merkle tree stored for PostgreSQL log '{LogId}' disagrees with its records: node {mismatch.Position} (built when leaf {mismatch.Leaf} was added) " +
                    "is not the hash the records give. The tree_nodes table was edited; proofs from it cannot be trusted.",
            };
        // Without an explicit checkpoint the log's own latest one was checked: a failure names it, success stays plain.
        return result;
    }

    /// <summary>Recomputes the tree from verified leaves and compares each node with the stored one, in post-order.</summary>
    private sealed class TreeCheck : IMerkleNodeStore
    {
        private const int PageSize = 8192;
        private readonly NpgsqlConnection _connection;
        private readonly string _logId;
        private readonly MerkleTree _tree;
        private readonly Queue<(long Position, byte[] Hash)> _stored = new();
        private long _nextPage;
        private bool _exhausted;
        private long _leaf;

        public TreeCheck(NpgsqlConnection connection, string logId)
        {
            _connection = connection;
            _logId = logId;
            _tree = new MerkleTree(this);
        }

        /// <summary>The first disagreement, if any.</summary>
        public (long Leaf, long Position)? Mismatch { get; private set; }

        public void Observe(ReadOnlySpan<byte> leaf)
        {
            if (Mismatch is null && !_exhausted)
                _tree.Append(leaf);
            _leaf++;
        }

        public long NodeCount { get; private set; }

        public void Append(int level, long index, ReadOnlySpan<byte> hash)
        {
            var position = NodeCount++;
            if (_stored.Count == 0)
                ReadPage();
            // A tree shorter than the chain (records written before schema version 2) is extended by the next writer.
            if (_stored.Count == 0)
            {
                _exhausted = true;
                return;
            }
            var (storedPosition, storedHash) = _stored.Dequeue();
            if (Mismatch is null && (storedPosition != position || !hash.SequenceEqual(storedHash)))
                Mismatch = (_leaf, position);
        }

        private void ReadPage()
        {
            using var command = new NpgsqlCommand("SELECT position, hash FROM auditgen.tree_nodes WHERE log_id = $1 AND position >= $2 ORDER BY position LIMIT $3", _connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _nextPage });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = PageSize });
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var position = reader.GetInt64(0);
                _stored.Enqueue((position, reader.GetFieldValue<byte[]>(1)));
                _nextPage = position + 1;
            }
        }

        public void Read(int level, long index, Span<byte> destination) => throw new InvalidOperationException("The tree check reads no nodes.");

        public void Commit() { }

        public void Sync() { }

        public void Truncate(long nodeCount) => throw new InvalidOperationException("The tree check never truncates.");
    }

    // A verifier anchored at the archive manifest before the first live record, or null when the log starts at 0.
    private async Task<(ChainVerifier Verifier, long First)?> StartVerifierAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT f.first, m.last_hash
              FROM (SELECT min(sequence) AS first FROM auditgen.records WHERE log_id = $1) f
              LEFT JOIN auditgen.archive_manifests m ON m.log_id = $1 AND m.to_sequence = f.first - 1
             ORDER BY m.from_sequence DESC NULLS LAST
             LIMIT 1
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && !reader.IsDBNull(0) && reader.GetInt64(0) > 0 && !reader.IsDBNull(1)
            && AuditRecordCodec.IsHashHex(reader.GetString(1)))
            return (new ChainVerifier(reader.GetInt64(0), reader.GetString(1)), reader.GetInt64(0));
        return null;
    }
}
