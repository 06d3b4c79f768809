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
    /// record against the records before it. Records archived by retention are merged in as their stubs
    /// (<c>auditgen.archived_records</c>: each stub's leaf chained onto the previous hash must give its hash), so a pruned
    /// log verifies as one chain with its tree and checkpoints; each segment row is checked against its stubs (count,
    /// range, Merkle root: <see cref="VerificationFailure.ArchiveMismatch"/>). Only a log pruned by schema v1's prefix
    /// delete starts from the archive manifest before its first live record, without its tree. A chain cannot show a cut-off
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
    /// <exception cref="AuditTrailException">A checkpoint was given, but the log's oldest records were deleted by schema v1's prefix delete (no stubs): verify the archive against it.</exception>
    public async ValueTask<VerificationResult> VerifyAsync(SignedCheckpoint? checkpoint, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for the anchor, the rows and the stubs, so a concurrent retention run cannot move records between them.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        return await VerifyInSnapshotAsync(connection, transaction, checkpoint, progress, onLink: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Verifies the archives in <paramref name="archives"/> and the log as one continuous history, as
    /// <c>LiteDbAuditTrail.VerifyWithArchivesAsync</c> does: the log exactly as
    /// <see cref="VerifyAsync(SignedCheckpoint?, IProgress{long}?, CancellationToken)"/> does (its failures come first), then
    /// every segment named by an <c>archive_created</c> or <c>retention_applied</c> record must exist, match its manifest
    /// (SHA-256, count, Merkle root) and the record, and every stub must be filled by exactly one archived record whose
    /// leaf and hash are the ones the chain links (<see cref="VerificationFailure.ArchiveMissing"/>,
    /// <see cref="VerificationFailure.ArchiveCorrupt"/>, <see cref="VerificationFailure.ArchiveMismatch"/>, naming
    /// <see cref="VerificationResult.ArchiveSegment"/>).
    /// </summary>
    /// <param name="archives">Where the segments are, e.g. <see cref="AuditGen.Archive.FolderArchiveTarget"/>.</param>
    /// <param name="checkpoint">Optionally, a signed checkpoint to verify the log against.</param>
    /// <param name="progress">Receives the number of live records checked so far.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <exception cref="AuditGen.Archive.ArchiveTargetException">The archive target cannot be read.</exception>
    public async ValueTask<VerificationResult> VerifyWithArchivesAsync(AuditGen.Archive.IArchiveTarget archives, SignedCheckpoint? checkpoint = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archives);
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // The records naming segments and the links they are merged with come from one snapshot.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var named = new List<AuditRecord>();
        await using (var command = new NpgsqlCommand(
            $"SELECT {RecordRows.Columns} FROM auditgen.records WHERE log_id = $1 AND action IN ('archive_created', 'retention_applied') AND resource_type = $2 ORDER BY sequence",
            connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = AuditGen.Archive.ArchiveRecords.ResourceType });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                AuditRecord record;
                try
                {
                    record = RecordRows.Read(reader);
                }
                catch (FormatException)
                {
                    continue; // the live verification reports it as malformed
                }
                if (record.ActorType == ActorType.System)
                    named.Add(record);
            }
        }
        using var archive = await AuditGen.Archive.ArchiveVerifier.PrepareAsync(archives, named, cancellationToken).ConfigureAwait(false);
        var live = await VerifyInSnapshotAsync(connection, transaction, checkpoint, progress, archive.OnLink, cancellationToken).ConfigureAwait(false);
        var result = archive.Finish(live);
        AuditGen.Telemetry.AuditGenTelemetry.VerificationCompleted(result);
        return result;
    }

    // The records and the stubs of archived records, merged by sequence: a stub row has its sequence and hash in the
    // record columns, null elsewhere, and its leaf and segment in the two extra columns (null for a record row).
    private static readonly string LinksSql =
        $"SELECT {RecordRows.Columns}, NULL::bytea AS stub_leaf, NULL::text AS stub_segment FROM auditgen.records WHERE log_id = $1 " +
        $"UNION ALL SELECT {string.Join(", ", RecordRows.Columns.Split(", ").Select(c => c is "sequence" or "hash" ? c : "NULL"))}, leaf, segment_id " +
        "FROM auditgen.archived_records WHERE log_id = $1 ORDER BY sequence";

    private static readonly int HashOrdinal = Array.IndexOf(RecordRows.Columns.Split(", "), "hash");
    private static readonly int StubLeafOrdinal = RecordRows.Columns.Split(", ").Length;

    private async Task<VerificationResult> VerifyInSnapshotAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, SignedCheckpoint? checkpoint,
        IProgress<long>? progress, Action<long, string, string?>? onLink, CancellationToken cancellationToken)
    {
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
        var segments = new StubSegments();

        await using (var command = new NpgsqlCommand(LinksSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var position = reader.GetInt64(0);
                if (!reader.IsDBNull(StubLeafOrdinal + 1))
                {
                    var hash = reader.GetString(HashOrdinal);
                    var leaf = reader.GetFieldValue<byte[]>(StubLeafOrdinal);
                    var segment = reader.GetString(StubLeafOrdinal + 1);
                    segments.Observe(segment, position, leaf);
                    if (leaf.Length != ChainHasher.HashSize)
                    {
                        if (!verifier.ObserveMalformed(position, $"the stub's leaf is {leaf.Length} bytes, not {ChainHasher.HashSize}"))
                            break;
                        continue;
                    }
                    if (!verifier.ObserveStub(position, hash, leaf))
                        break;
                    onLink?.Invoke(position, hash, segment);
                    continue;
                }
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
                onLink?.Invoke(position, record.Hash, null);
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
        if (await segments.CheckAsync(connection, transaction, LogId, cancellationToken).ConfigureAwait(false) is { } segmentFailure)
            return result with
            {
                FirstBrokenSequence = segmentFailure.Sequence,
                Failure = VerificationFailure.ArchiveMismatch,
                Reason = $"Archive segment {segmentFailure.Segment} of PostgreSQL log '{LogId}': {segmentFailure.Reason}",
                ArchiveSegment = segmentFailure.Segment,
            };
        // Without an explicit checkpoint the log's own latest one was checked: a failure names it, success stays plain.
        return result;
    }

    /// <summary>
    /// The stubs of each segment as met in sequence order (count, first, last, Merkle root of their leaves), checked at
    /// the end against the segment rows the prune function checked before it deleted: an edited row or stub shows.
    /// </summary>
    private sealed class StubSegments
    {
        private readonly Dictionary<string, (MerkleTree Tree, long First, long Last)> _seen = new(StringComparer.Ordinal);

        public void Observe(string segment, long sequence, byte[] leaf)
        {
            if (!_seen.TryGetValue(segment, out var entry))
                entry = (new MerkleTree(new DiscardingMerkleNodeStore()), sequence, sequence);
            if (leaf.Length == ChainHasher.HashSize)
                entry.Tree.Append(leaf);
            _seen[segment] = entry with { Last = sequence };
        }

        public async Task<(string Segment, long Sequence, string Reason)?> CheckAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string logId,
            CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(
                "SELECT segment_id, first_sequence, last_sequence, count, merkle_root FROM auditgen.archive_segments WHERE log_id = $1 ORDER BY first_sequence",
                connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = logId });
            (string, long, string)? first = null;
            void Fail(string segment, long sequence, string reason)
            {
                if (first is null || first.Value.Item2 > sequence)
                    first = (segment, sequence, reason);
            }
            var rows = new HashSet<string>(StringComparer.Ordinal);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var id = reader.GetString(0);
                    var (from, to, count, root) = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetFieldValue<byte[]>(4));
                    rows.Add(id);
                    if (!_seen.TryGetValue(id, out var stubs))
                        Fail(id, from, $"its segment row names sequences {from} to {to}, but the log holds no stub of it: its stubs were removed.");
                    else if (stubs.Tree.Size != count || stubs.First != from || stubs.Last != to)
                        Fail(id, Math.Min(from, stubs.First),
                            $"its segment row says {count} records {from} to {to}, its stubs are {stubs.Tree.Size} records {stubs.First} to {stubs.Last}: the row or the stubs were edited.");
                    else if (!stubs.Tree.Root().AsSpan().SequenceEqual(root))
                        Fail(id, from, "the Merkle root of its stubs' leaves is not its segment row's: the row or a stub was edited.");
                }
            }
            foreach (var (id, stubs) in _seen)
                if (!rows.Contains(id))
                    Fail(id, stubs.First, $"stubs from sequence {stubs.First} name it, but the log has no segment row for it: the row was removed.");
            return first;
        }
    }

    /// <summary>Recomputes the tree from verified leaves and compares each node with the stored one, in post-order.</summary>
    private sealed class TreeCheck : IMerkleNodeStore
    {
        private const int PageSize = 8192;
        private readonly NpgsqlConnection _connection;
        private readonly string _logId;
        private readonly MerkleTree _tree;
        private readonly Queue<(long Position, byte[] Hash)> _stored = new();
        private long _nextRun;
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

        // The stored nodes from the next run on, in position order. A run that overlaps the one before it (an edited
        // table) repeats or skips positions, which Append reports as a mismatch.
        private void ReadPage()
        {
            using var command = new NpgsqlCommand(TreeNodes.RunsFromSql, _connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _nextRun });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = PageSize });
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var first = reader.GetInt64(0);
                foreach (var node in TreeNodes.Expand(first, reader.GetFieldValue<byte[]>(1)))
                    _stored.Enqueue(node);
                _nextRun = first + 1;
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
