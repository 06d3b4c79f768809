using Npgsql;

namespace AuditGen.LoadDriver;

/// <summary>
/// The load benchmark's PostgreSQL baseline: the same records written the way an application writes its own audit table
/// without AuditGen. Each record is one <c>INSERT</c> in its own durable transaction (synchronous commit, fsync on) on
/// its writer's own connection, into <see cref="Table"/>, which has exactly the columns, checks and indexes of
/// <c>auditgen.records</c> (<c>LIKE … INCLUDING ALL</c>) and its sequence from a database sequence. There is no chain, no
/// Merkle tree, no lock and no group commit of the client's; PostgreSQL itself shares one WAL flush among the commits
/// that wait for it at the same time.
/// </summary>
internal static class PlainInserts
{
    /// <summary>The baseline's table, beside the store's schema in the same database.</summary>
    public const string Table = "auditgen_bench.records";

    private const string InsertSql =
        "INSERT INTO " + Table + " (log_id, sequence, id, timestamp_micros, action, actor_id, actor_type, conversation_id, " +
        "user_id, subject_id, agent_name, tool_name, resource_type, resource_id, classification, domains, outcome, " +
        "duration_micros, details, trace_id, span_id, previous_hash, hash) " +
        "VALUES ($1, nextval('auditgen_bench.record_sequence'), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, " +
        "$15, $16, $17, $18, $19, $20, $21, $22)";

    // What a record's hash column holds (64 hex characters): the baseline computes none.
    private static readonly string NoHash = new('0', 64);

    /// <summary>Creates the baseline's table (once; <c>auditgen.records</c> must exist, so a trail was opened before).</summary>
    public static async Task CreateTableAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand(
            "CREATE SCHEMA IF NOT EXISTS auditgen_bench; " +
            "CREATE SEQUENCE IF NOT EXISTS auditgen_bench.record_sequence; " +
            "CREATE TABLE IF NOT EXISTS " + Table + " (LIKE auditgen.records INCLUDING ALL)", connection);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// A writer: its own connection (prepared statement, as the store's are), <paramref name="count"/> durable inserts of
    /// <see cref="Append.Entry"/> records one after the other; <paramref name="inserted"/> after each.
    /// </summary>
    public static async Task WriteAsync(NpgsqlDataSource dataSource, string logId, int process, int writer, int count, Action? inserted = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        for (var i = 0; i < count; i++)
        {
            var entry = Append.Entry(process, writer, i);
            await using var insert = new NpgsqlCommand(InsertSql, connection);
            var values = insert.Parameters;
            values.Add(new NpgsqlParameter<string> { TypedValue = logId });
            values.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7() });
            values.Add(new NpgsqlParameter<long> { TypedValue = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10 });
            values.Add(new NpgsqlParameter<string> { TypedValue = entry.Action.ToWireName() });
            values.Add(Text(entry.ActorId));
            values.Add(new NpgsqlParameter<string> { TypedValue = entry.ActorType.ToWireName() });
            values.Add(Text(entry.ConversationId));
            values.Add(Text(entry.UserId));
            values.Add(Text(entry.SubjectId));
            values.Add(Text(entry.AgentName));
            values.Add(Text(entry.ToolName));
            values.Add(Text(entry.ResourceType));
            values.Add(Text(entry.ResourceId));
            values.Add(new NpgsqlParameter<string> { TypedValue = entry.Classification.ToWireName() });
            values.Add(new NpgsqlParameter<string[]> { TypedValue = [.. entry.Domains.ToWireNames()] });
            values.Add(new NpgsqlParameter<string> { TypedValue = entry.Outcome.ToWireName() });
            values.Add(new NpgsqlParameter<long?> { TypedValue = entry.DurationMicros });
            values.Add(Text(entry.Details));
            values.Add(Text(entry.TraceId));
            values.Add(Text(entry.SpanId));
            values.Add(new NpgsqlParameter<string> { TypedValue = NoHash });
            values.Add(new NpgsqlParameter<string> { TypedValue = NoHash });
            await insert.ExecuteNonQueryAsync();
            inserted?.Invoke();
        }
    }

    /// <summary>A data source configured as the store configures its own (statements prepared after two uses).</summary>
    public static NpgsqlDataSource DataSource(string connectionString) =>
        new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { MaxAutoPrepare = 16, AutoPrepareMinUsages = 2 } }.Build();

    private static NpgsqlParameter<string?> Text(string? value) => new() { TypedValue = value };
}
