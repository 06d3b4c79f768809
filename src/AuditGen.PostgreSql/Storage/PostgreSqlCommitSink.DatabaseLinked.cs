using AuditGen.Integrity;
using AuditGen.Storage;
using Npgsql;

namespace AuditGen.PostgreSql.Storage;

// Under contention: the database links the batch under the lock, and the writer checks every hash before anyone is acknowledged.
internal sealed partial class PostgreSqlCommitSink
{
    // The database links only plain appends: a commit that may sign a checkpoint (whose root the writer signs) is linked
    // by the writer. The size is this writer's estimate; other writers' records only make a checkpoint due later.
    private bool MayLinkInDatabase(GroupCommit commit) =>
        commit.Appends.Count > 0 &&
        (_checkpoints is not { } checkpoints ||
         commit.CheckpointRequests.Count == 0 && !commit.Closing &&
         !checkpoints.IsDue((_lastEnd ?? 0) + commit.Appends.Count, _time.GetUtcNow(), requested: false, closing: false));

    // One round trip in which the database links the batch (see GroupCommitStatements.InsertLinkedBatchSql) onto the
    // tail under the lock: the lock is held only while the server inserts, however often other writers move the tail.
    // The batch holds the records with placeholders until the answer comes (the ids are what recovery looks up); then
    // every hash is recomputed here from the same bytes and must be the database's, and the records must chain onto one
    // another, before anyone is acknowledged.
    private void CommitLinkedByDatabase(NpgsqlConnection connection, GroupCommit commit, SequencedBatch batch)
    {
        var cuts = new List<CanonicalCut>(commit.Appends.Count);
        for (var i = 0; i < commit.Appends.Count; i++)
        {
            var request = commit.Appends[i];
            var completion = request.Completion!;
            if (completion.Task.IsCompleted)
                continue;
            var stamp = _stamps[i];
            var unlinked = SequencedRecord.From(request.Entry!, request.CanonicalDetails, 0, stamp.Id, stamp.Timestamp, HashHex.Zero);
            try
            {
                cuts.Add(CanonicalCut.Of(unlinked, _cutBuffer));
            }
            catch (ArgumentException e)
            {
                // The entry itself cannot be encoded (as in ChainSequencer.Link): only this caller fails.
                completion.TrySetException(e);
                continue;
            }
            batch.Add(unlinked with { Hash = HashHex.Zero }, completion);
        }
        if (batch.Records.Count == 0)
            return;
        AtStage(CommitStage.BeforeInsert, connection);

        var linked = new List<(long Sequence, string PreviousHash, string Hash)>(batch.Records.Count);
        using (var send = new NpgsqlBatch(connection))
        {
            var commands = send.BatchCommands;
            commands.Add(new NpgsqlBatchCommand(BeginSql));
            commands.Add(LogCommand(AsyncCommitAndLockSql));
            var insert = new NpgsqlBatchCommand(GroupCommitStatements.InsertLinkedBatchSql);
            RecordRows.AddColumnParameters(insert.Parameters, _logId, batch.Records);
            insert.Parameters.Add(ByteaArray(cuts.Select(c => c.Before)));
            insert.Parameters.Add(ByteaArray(cuts.Select(c => c.Between)));
            insert.Parameters.Add(ByteaArray(cuts.Select(c => c.After)));
            insert.Parameters.Add(GroupCommitStatements.MarkerParameter(batch));
            commands.Add(insert);
            commands.Add(new NpgsqlBatchCommand("COMMIT"));
            var unlock = LogCommand(GroupCommitStatements.UnlockIfCommittedSql);
            unlock.Parameters.Add(GroupCommitStatements.MarkerParameter(batch));
            commands.Add(unlock);
            AddFlush(commands, batch);
            _mayHoldLock = true;
            using var reader = send.ExecuteReader();
            do
            {
                if (reader.FieldCount != 5 || reader.GetName(0) != "ord")
                    continue;
                while (reader.Read())
                    linked.Add((reader.GetInt64(1), reader.GetString(2), reader.GetString(3)));
                break;
            }
            while (reader.NextResult());
            ReadToEnd(reader);
        }
        _mayHoldLock = false;

        var records = Relink(batch, cuts, linked);
        var completions = batch.Completions.ToList();
        batch.Clear();
        for (var i = 0; i < records.Count; i++)
            batch.Add(records[i], completions[i]);
        DatabaseLinkedCommits++;
        CountCommit("database_linked");
        // The tail was where this writer left it: nobody else appended in between, so its own linking would have held.
        _contended = records[0].Sequence == _lastEnd ? _contended - 1 : ContendedCommits;
        _lastEnd = records[^1].Sequence + 1;
        // The writer did not see the tree's edge; its next commit of its own reads the tail first.
        _lastTail = null;
        AtStage(CommitStage.AfterCommit, connection);
    }

    private static NpgsqlParameter<byte[][]> ByteaArray(IEnumerable<byte[]> values) =>
        new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bytea, TypedValue = [.. values] };

    // The records as the database linked them, each hash recomputed from its bytes. A disagreement means the database
    // did not chain what this writer sent: the batch is committed, but nobody is acknowledged and the writer stops.
    private List<AuditRecord> Relink(SequencedBatch placeholders, List<CanonicalCut> cuts, List<(long Sequence, string PreviousHash, string Hash)> linked)
    {
        if (linked.Count != placeholders.Records.Count)
            throw new AuditStoreCorruptException(
                $"PostgreSQL log '{_logId}' linked {linked.Count} of the {placeholders.Records.Count} records of one group commit.");
        var records = new List<AuditRecord>(linked.Count);
        Span<byte> previous = stackalloc byte[ChainHasher.HashSize];
        Span<byte> leaf = stackalloc byte[ChainHasher.HashSize];
        Span<byte> hash = stackalloc byte[ChainHasher.HashSize];
        for (var i = 0; i < linked.Count; i++)
        {
            var (sequence, previousHash, claimed) = linked[i];
            var chains = i == 0 || (sequence == linked[i - 1].Sequence + 1 && previousHash == linked[i - 1].Hash);
            if (!chains || !HashHex.TryDecode(previousHash, previous))
                throw new AuditStoreCorruptException(
                    $"PostgreSQL log '{_logId}' linked record {i} of a group commit at sequence {sequence} after '{previousHash}', which does not follow the record before it.");
            ChainHasher.ComputeLeaf(cuts[i].Join(previousHash, sequence), leaf);
            ChainHasher.ComputeChain(previous, leaf, hash);
            var computed = HashHex.Encode(hash);
            if (computed != claimed)
                throw new AuditStoreCorruptException(
                    $"PostgreSQL log '{_logId}' linked the record at sequence {sequence} with hash {claimed}, but its bytes give {computed}: the database did not chain what this writer sent.");
            records.Add(placeholders.Records[i] with { Sequence = sequence, PreviousHash = previousHash, Hash = computed });
        }
        return records;
    }
}
