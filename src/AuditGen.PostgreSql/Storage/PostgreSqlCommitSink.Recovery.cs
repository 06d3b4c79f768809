using AuditGen.Integrity;
using AuditGen.PostgreSql.Schema;
using AuditGen.Storage;
using Npgsql;

namespace AuditGen.PostgreSql.Storage;

// After a failure: whether the batch's transaction committed, and the connection dropped cleanly.
internal sealed partial class PostgreSqlCommitSink
{
    // The batch's records as stored, when its transaction committed; null when none of them exists.
    private async Task<SequencedBatch?> FindCommittedAsync(SequencedBatch attempted)
    {
        var ids = attempted.Records.Select(r => r.Id).ToArray();
        var stored = new Dictionary<Guid, AuditRecord>(ids.Length);
        await using (var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false))
        {
            await using (var command = new NpgsqlCommand(
                $"SELECT {RecordRows.Columns} FROM auditgen.records WHERE log_id = $1 AND id = ANY($2) ORDER BY sequence", connection))
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
                command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
                await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    var record = RecordRows.Read(reader);
                    stored[record.Id] = record;
                }
            }
            if (stored.Count == 0)
                return null;
            // Visible is not yet durable: the batch's transaction committed asynchronously. Flush through it first.
            await using var flush = new NpgsqlCommand(GroupCommitStatements.FlushSql, connection);
            await flush.ExecuteNonQueryAsync().ConfigureAwait(false);
            FlushedOnRecovery++;
        }
        if (stored.Count != ids.Length)
            throw new AuditStoreCorruptException(
                $"PostgreSQL log '{_logId}' holds {stored.Count} of the {ids.Length} records of one group commit; a transaction commits all or none.");

        // The commit that happened may have been an earlier attempt, linked onto another tail (or by the database):
        // acknowledge what is stored, once each record's hash is the one its content gives.
        foreach (var record in stored.Values)
        {
            if (ChainHasher.ComputeRecordHash(record) != record.Hash)
                throw new AuditStoreCorruptException(
                    $"The record at sequence {record.Sequence} of PostgreSQL log '{_logId}', found committed after a lost answer, does not hash to its stored hash.");
        }
        var committed = new SequencedBatch();
        for (var i = 0; i < attempted.Records.Count; i++)
            committed.Add(stored[attempted.Records[i].Id], attempted.Completions[i]);
        return committed;
    }

    private async ValueTask DropConnectionAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is null)
            return;
        try
        {
            // A failed attempt may have left the session holding the log's lock (or an open transaction holding it): a
            // connection that still works releases it before it goes back to the pool; a broken one is closed, and the
            // server releases the locks of a closed session itself.
            if (_mayHoldLock && connection.FullState == System.Data.ConnectionState.Open)
            {
                await using var release = new NpgsqlCommand(AdvisoryLocks.ReleaseAllSql, connection);
                await release.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (DatabaseFailures.IsDatabaseFailure(e))
        {
            // The connection broke too: closing it below ends the session, and with it its locks.
        }
        _mayHoldLock = false;
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (DatabaseFailures.IsDatabaseFailure(e))
        {
            // A broken connection may fail to close; it is discarded either way.
        }
    }
}
