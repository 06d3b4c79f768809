using AuditGen.Archive;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.PostgreSql.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AuditGen.PostgreSql;

public sealed partial class PostgreSqlAuditTrail : IArchiveStore, IArchivingTrail
{
    private readonly SemaphoreSlim _archiveGate = new(1, 1);

    /// <summary>Called at each step boundary of <see cref="ArchiveAsync"/> (crash tests stop the run there).</summary>
    internal Action<string>? ArchiveStepReached { get; set; }

    /// <summary>
    /// Archives the records <paramref name="selection"/> names to <paramref name="target"/>, then removes them from the
    /// database, leaving a stub per record (<c>auditgen.archived_records</c>: sequence, chain hash, Merkle leaf, segment)
    /// so the log still verifies alone as one chain, and its Merkle tree, proofs and checkpoints are unchanged.
    /// </summary>
    /// <remarks>
    /// The same run as <c>LiteDbAuditTrail.ArchiveAsync</c>: the segment (gzip JSON Lines of the records' full canonical
    /// form, ascending) and its manifest are published, read back and every line checked against the live records and
    /// the tree; an <c>archive_created</c> record is appended; then one transaction records the segment in
    /// <c>auditgen.archive_segments</c> and calls <c>auditgen.prune_archived_records</c>, which checks, under the log's
    /// lock, that the segment row describes exactly these records (count, range, RFC 6962 root of their tree leaves), that
    /// each is live, chains and is neither the newest nor a lifecycle record, before it replaces them by stubs; finally a
    /// <c>retention_applied</c> record is appended. Rerunning the same selection after a crash at any step completes it
    /// (<see cref="ArchiveOutcome.Resumed"/>). The role needs what <c>auditgen db init</c> grants the retention role.
    /// </remarks>
    /// <param name="selection">The sequences (ascending, distinct, not necessarily contiguous) and why.</param>
    /// <param name="target">Where the segment goes, e.g. <see cref="FolderArchiveTarget"/>.</param>
    /// <param name="progress">Receives work done so far, in records, over three passes (write, verify, prune): up to three times the selection's size.</param>
    /// <param name="cancellationToken">Cancels the run between steps; a rerun completes it.</param>
    /// <exception cref="ArgumentException">The selection is empty, unsorted, repeated, outside the log, names the newest record, a lifecycle record or a record already archived elsewhere.</exception>
    /// <exception cref="ArchiveTargetException">The target cannot be written or read.</exception>
    /// <exception cref="ArchiveVerificationException">The archive did not verify when read back (nothing was removed).</exception>
    /// <exception cref="AuditTrailException">The trail is read-only or closed, or the database refused the prune (its message says why; nothing was removed).</exception>
    public async Task<ArchiveOutcome> ArchiveAsync(ArchiveSelection selection, IArchiveTarget target, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(target);
        ThrowIfDisposed();
        if (_writer is null)
            throw new AuditTrailException($"PostgreSQL log '{LogId}' was opened read-only; it cannot archive records.");
        ArchiveRun.CheckSelection(selection);
        await _archiveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ArchiveRun.RunAsync(this, selection, target, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new AuditTrailException($"Archiving records of PostgreSQL log '{LogId}' failed in the database: {e.Message} Nothing more was removed; rerun to complete it.", e);
        }
        finally
        {
            _archiveGate.Release();
        }
    }

    string IArchiveStore.ArchiveStoreName => $"PostgreSQL log '{LogId}'";

    void IArchiveStore.ArchiveStep(string name) => ArchiveStepReached?.Invoke(name);

    async Task<long> IArchiveStore.PrepareArchiveAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // The newest record is never archived, so the live table holds the chain's end.
        await using var command = new NpgsqlCommand("SELECT coalesce(max(sequence) + 1, 0) FROM auditgen.records WHERE log_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    async Task<(AuditRecord? Created, AuditRecord? Applied)> IArchiveStore.FindArchiveRecordsAsync(string segmentId, CancellationToken cancellationToken)
    {
        AuditRecord? created = null, applied = null;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT {RecordRows.Columns} FROM auditgen.records WHERE log_id = $1 AND action IN ('archive_created', 'retention_applied') " +
            "AND resource_type = $2 AND resource_id = $3 ORDER BY sequence", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ArchiveRecords.ResourceType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = segmentId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var record = ReadRecord(reader);
            if (record.ActorType != ActorType.System || ArchiveRecords.SegmentOf(record) != segmentId)
                continue;
            if (record.Action == AuditAction.ArchiveCreated)
                created ??= record;
            else
                applied ??= record;
        }
        return (created, applied);
    }

    async Task<ArchiveScan> IArchiveStore.ScanArchiveSelectionAsync(IReadOnlyList<long> sequences, string segmentId, bool resuming, CancellationToken cancellationToken)
    {
        var selected = sequences.ToArray();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);

        var stubs = new Dictionary<long, (string Hash, byte[] Leaf, string Segment)>();
        await using (var command = new NpgsqlCommand(
            "SELECT sequence, hash, leaf, segment_id FROM auditgen.archived_records WHERE log_id = $1 AND sequence = ANY ($2)", connection, transaction))
        {
            AddLogAndSequences(command, selected);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                stubs[reader.GetInt64(0)] = (reader.GetString(1), reader.GetFieldValue<byte[]>(2), reader.GetString(3));
        }

        var leaves = new List<byte[]>(selected.Length);
        var hashes = new List<byte[]>(selected.Length);
        var alreadyStub = new List<bool>(selected.Length);
        string? firstPrevious = null;
        await using (var command = new NpgsqlCommand(
            $"SELECT {RecordRows.Columns} FROM auditgen.records WHERE log_id = $1 AND sequence = ANY ($2) ORDER BY sequence", connection, transaction))
        {
            AddLogAndSequences(command, selected);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var hasRow = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            foreach (var sequence in selected)
            {
                var hash = new byte[ChainHasher.HashSize];
                if (stubs.TryGetValue(sequence, out var stub))
                {
                    if (!resuming || stub.Segment != segmentId)
                        throw new ArgumentException($"Sequence {sequence} was already archived (segment {stub.Segment}); it cannot be archived again.", nameof(sequences));
                    if (!HashHex.TryDecode(stub.Hash, hash) || stub.Leaf.Length != ChainHasher.HashSize)
                        throw new AuditStoreCorruptException($"The stub of sequence {sequence} of PostgreSQL log '{LogId}' is malformed (run VerifyAsync). Nothing was archived.");
                    leaves.Add(stub.Leaf);
                    hashes.Add(hash);
                    alreadyStub.Add(true);
                    continue;
                }
                if (!hasRow || reader.GetInt64(0) != sequence)
                    throw new AuditStoreCorruptException(
                        $"Sequence {sequence} of PostgreSQL log '{LogId}' is neither a record nor an archived stub: the log is damaged (run VerifyAsync). Nothing was archived.");
                var record = ReadRecord(reader);
                var action = record.Action.ToWireName();
                if (ArchiveRecords.LifecycleActions.Contains(action))
                    throw new ArgumentException($"Sequence {sequence} is a {action} record: the log's own metadata is never archived.", nameof(sequences));
                var leaf = new byte[ChainHasher.HashSize];
                string computed;
                try
                {
                    computed = ChainHasher.ComputeRecordHash(record, leaf);
                }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    throw new AuditStoreCorruptException($"Sequence {sequence} of PostgreSQL log '{LogId}' cannot be hashed: {e.Message} Nothing was archived.", e);
                }
                if (computed != record.Hash || !HashHex.TryDecode(record.Hash, hash))
                    throw new AuditStoreCorruptException(
                        $"Sequence {sequence} of PostgreSQL log '{LogId}' no longer hashes to its stored hash: the log is damaged (run VerifyAsync). Nothing was archived.");
                if (sequence == selected[0])
                    firstPrevious = record.PreviousHash;
                leaves.Add(leaf);
                hashes.Add(hash);
                alreadyStub.Add(false);
                hasRow = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        firstPrevious ??= await HashBeforeAsync(connection, transaction, selected[0], cancellationToken).ConfigureAwait(false);
        return new ArchiveScan
        {
            SegmentId = segmentId,
            LogId = LogId,
            FirstPreviousHash = firstPrevious,
            Sequences = selected,
            Leaves = leaves,
            Hashes = hashes,
            AlreadyStub = alreadyStub,
        };
    }

    // The chain hash before `sequence`: of the record or stub at sequence − 1, or genesis.
    private async Task<string> HashBeforeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long sequence, CancellationToken cancellationToken)
    {
        if (sequence == 0)
            return HashHex.Zero;
        await using var command = new NpgsqlCommand(
            "SELECT hash FROM auditgen.records WHERE log_id = $1 AND sequence = $2 UNION ALL SELECT hash FROM auditgen.archived_records WHERE log_id = $1 AND sequence = $2",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sequence - 1 });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string
            ?? throw new AuditStoreCorruptException($"Sequence {sequence - 1} of PostgreSQL log '{LogId}' is neither a record nor an archived stub (run VerifyAsync). Nothing was archived.");
    }

    async Task IArchiveStore.WriteArchivedRecordsAsync(ArchiveScan scan, Stream destination, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"SELECT {RecordRows.Columns} FROM auditgen.records WHERE log_id = $1 AND sequence = ANY ($2) ORDER BY sequence", connection);
        AddLogAndSequences(command, [.. scan.Sequences]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var written = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var record = ReadRecord(reader);
            if (written >= scan.Count || record.Sequence != scan.Sequences[written])
                break;
            await destination.WriteAsync(AuditRecordCodec.Serialize(record), cancellationToken).ConfigureAwait(false);
            destination.WriteByte((byte)'\n');
            written++;
            if (written % ArchiveRun.ProgressEvery == 0)
                progress?.Report(written);
        }
        if (written != scan.Count)
            throw new AuditTrailException(
                $"Sequence {scan.Sequences[written]} of PostgreSQL log '{LogId}' left the records table while its segment was written (another retention run?); nothing was removed.");
    }

    async Task<IReadOnlyList<byte[]>> IArchiveStore.ReadTreeLeavesAsync(ArchiveScan scan, CancellationToken cancellationToken)
    {
        var leaves = new List<byte[]>(scan.Count);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT s.seq, auditgen.tree_node($1, 2 * s.seq - bit_count(s.seq::bit(64))) FROM unnest($2::bigint[]) WITH ORDINALITY AS s(seq, i) ORDER BY s.i",
            connection);
        AddLogAndSequences(command, [.. scan.Sequences]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.IsDBNull(1))
                throw new AuditStoreCorruptException($"The Merkle tree of PostgreSQL log '{LogId}' has no leaf for sequence {reader.GetInt64(0)}; nothing was archived.");
            leaves.Add(reader.GetFieldValue<byte[]>(1));
        }
        return leaves;
    }

    async Task<SignedCheckpoint?> IArchiveStore.CheckpointCoveringAsync(long sequence, CancellationToken cancellationToken)
    {
        if (Options.Checkpoints is null)
            return null;
        var latest = await GetLatestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        if (latest is null || latest.Checkpoint.TreeSize <= sequence)
            latest = await CheckpointAsync(cancellationToken).ConfigureAwait(false);
        return latest;
    }

    // One transaction: the segment's facts, then the database's own checks and the swap to stubs (prune_archived_records).
    async Task IArchiveStore.PruneArchivedAsync(ArchiveScan scan, ArchiveManifest manifest, string location, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO auditgen.archive_segments (log_id, segment_id, first_sequence, last_sequence, count, merkle_root, segment_sha256, location) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (log_id, segment_id) DO NOTHING", connection, transaction))
            {
                var root = new byte[ChainHasher.HashSize];
                HashHex.TryDecode(manifest.MerkleRoot, root);
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = manifest.SegmentId });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = manifest.FirstSequence });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = manifest.LastSequence });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = manifest.Count });
                insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = root });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = manifest.SegmentSha256 });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = location });
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await using (var prune = new NpgsqlCommand("SELECT auditgen.prune_archived_records($1, $2, $3)", connection, transaction))
            {
                prune.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
                prune.Parameters.Add(new NpgsqlParameter<string> { TypedValue = manifest.SegmentId });
                prune.Parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = [.. scan.Sequences] });
                await prune.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.RaiseException or PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new AuditTrailException(e.SqlState == PostgresErrorCodes.InsufficientPrivilege
                ? $"PostgreSQL refused to prune segment {manifest.SegmentId} of log '{LogId}' for role '{connection.UserName}': {e.MessageText}. " +
                    "Nothing was removed; rerun as the retention role `auditgen db init` creates (the archive is recorded and will be completed)."
                : $"PostgreSQL refused to prune segment {manifest.SegmentId} of log '{LogId}': {e.MessageText}. Nothing was removed.", e);
        }
        progress?.Report(3L * scan.Count);
    }

    ValueTask<long> IArchivingTrail.GetArchivingTreeSizeAsync(CancellationToken cancellationToken) => GetTreeSizeAsync(cancellationToken);

    private void AddLogAndSequences(NpgsqlCommand command, long[] sequences)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
        command.Parameters.Add(new NpgsqlParameter<long[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, TypedValue = sequences });
    }

    private AuditRecord ReadRecord(NpgsqlDataReader reader)
    {
        try
        {
            return RecordRows.Read(reader);
        }
        catch (FormatException e)
        {
            throw new AuditStoreCorruptException($"A record of PostgreSQL log '{LogId}' cannot be read: {e.Message} Run VerifyAsync for the full diagnosis.", e);
        }
    }
}
