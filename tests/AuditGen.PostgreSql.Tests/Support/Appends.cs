using AuditGen.TrailConformance;
using Npgsql;

namespace AuditGen.PostgreSql.Tests.Support;

internal static class Appends
{
    /// <summary>Appends <paramref name="count"/> records one by one and closes the trail.</summary>
    public static async Task<List<AuditRecord>> WriteAndCloseAsync(string connectionString, string logId, int count)
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(connectionString, logId);
        var records = new List<AuditRecord>();
        for (var i = 0; i < count; i++)
            records.Add(await trail.AppendAsync(ConformanceEntries.ToolCall(i)));
        return records;
    }

    /// <summary>Every record of the trail's log, in sequence order.</summary>
    public static async Task<List<AuditRecord>> StoredAsync(IAuditTrail trail)
    {
        var stored = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(new AuditQuery()))
            stored.Add(record);
        return stored;
    }

    public static async Task<VerificationResult> VerifyAsync(string connectionString, string logId)
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(connectionString, logId, new AuditTrailOptions { ReadOnly = true });
        return await trail.VerifyAsync();
    }

    public static async Task<PostgresException> RefusedAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
    }

    public static string NewLogId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
