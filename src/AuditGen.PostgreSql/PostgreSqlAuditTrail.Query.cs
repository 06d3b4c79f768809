using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using AuditGen.Erasure;
using AuditGen.PostgreSql.Storage;
using Npgsql;

namespace AuditGen.PostgreSql;

public sealed partial class PostgreSqlAuditTrail
{
    private const int PageSize = 4096;

    /// <inheritdoc />
    /// <remarks>
    /// Pages through the log in sequence order (keyset on the primary key), one short query per page on a pooled
    /// connection, so a slow consumer holds no connection. Records appended by other instances are included once committed.
    /// </remarks>
    public async IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var remaining = query.Limit ?? int.MaxValue;
        var after = -1L;
        while (remaining > 0)
        {
            var wanted = Math.Min(remaining, PageSize);
            var page = await ReadPageAsync(query, after, wanted, cancellationToken).ConfigureAwait(false);
            foreach (var record in page)
            {
                yield return record;
                after = record.Sequence;
                remaining--;
            }
            if (page.Count < wanted)
                break;
        }
    }

    private async Task<List<AuditRecord>> ReadPageAsync(AuditQuery query, long after, int count, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand { Connection = connection };
        var sql = new StringBuilder($"SELECT {RecordRows.Columns} FROM auditgen.records WHERE log_id = $1 AND sequence > $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        // `condition` holds one `@` where the parameter goes.
        void Filter<T>(string condition, T value)
        {
            command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
            sql.Append(" AND ").Append(condition.Replace("@", "$" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }
        if (query.ConversationId is not null) Filter("conversation_id = @", query.ConversationId);
        if (query.UserId is not null) Filter("user_id = @", query.UserId);
        if (query.ToolName is not null) Filter("tool_name = @", query.ToolName);
        if (query.Action is { } action) Filter("action = @", action.ToWireName());
        if (query.ResourceType is not null) Filter("resource_type = @", query.ResourceType);
        if (query.ResourceId is not null) Filter("resource_id = @", query.ResourceId);
        if (query.SubjectId is not null) Filter("subject_id = @", query.SubjectId);
        if (query.Outcome is { } outcome) Filter("outcome = @", outcome.ToWireName());
        if (query.MinimumClassification is not null)
            Filter("classification = ANY(@)", query.ClassificationsAtLeast().Select(c => c.ToWireName()).ToArray());
        if (query.From is { } from) Filter("timestamp_micros >= @", RecordRows.CeilingMicros(from));
        if (query.To is { } to) Filter("timestamp_micros < @", RecordRows.CeilingMicros(to));
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        sql.Append(" ORDER BY sequence LIMIT $").Append(command.Parameters.Count);
        command.CommandText = sql.ToString();

        var page = new List<AuditRecord>(Math.Min(count, 256));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            page.Add(ReadRow(reader));
        return page;
    }

    /// <inheritdoc />
    /// <remarks>One query through <c>records_sealed_subject</c>, which holds only sealed records: an erasure reads the
    /// subject's records, not the log.</remarks>
    async IAsyncEnumerable<AuditRecord> ISealedRecordLookup.SealedRecordsAsync(string pseudonym, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<AuditRecord>();
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var command = new NpgsqlCommand(RecordRows.SelectSealedUnderSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = LogId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pseudonym });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                records.Add(ReadRow(reader));
        }
        records.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        foreach (var record in records)
            yield return record;
    }

    private AuditRecord ReadRow(NpgsqlDataReader reader)
    {
        try
        {
            return RecordRows.Read(reader);
        }
        catch (FormatException e)
        {
            throw new AuditStoreCorruptException(
                $"The record at sequence {reader.GetInt64(0)} of PostgreSQL log '{LogId}' cannot be read: {e.Message} Run VerifyAsync for the full diagnosis.", e);
        }
    }
}
