using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.PostgreSql.Storage;
using Npgsql;

namespace AuditGen.PostgreSql;

public sealed partial class PostgreSqlAuditTrail
{
    /// <inheritdoc />
    /// <remarks>
    /// Streams the log in sequence order through the same <c>ChainVerifier</c> as every store. A log whose oldest
    /// records were deleted by retention starts from the archive manifest that ends right before its first live record
    /// (the manifest's last hash is the chain's anchor); without one, the missing start is a gap at sequence 0.
    /// A chain cannot show a cut-off tail or a wholesale replacement by someone who may rewrite the table: signed
    /// checkpoints kept off-box do (see docs/postgresql.md).
    /// </remarks>
    public async ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for the anchor and the rows, so a concurrent retention run cannot pull records out from between them.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var verifier = await StartVerifierAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

        await using var command = new NpgsqlCommand(
            $"SELECT {RecordRows.Columns} FROM auditgen.records WHERE log_id = $1 ORDER BY sequence", connection, transaction);
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
        return verifier.Complete();
    }

    private async Task<ChainVerifier> StartVerifierAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
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
            return new ChainVerifier(reader.GetInt64(0), reader.GetString(1));
        return new ChainVerifier();
    }
}
