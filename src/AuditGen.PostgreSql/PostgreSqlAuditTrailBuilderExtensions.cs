using AuditGen.PostgreSql;
using AuditGen.PostgreSql.Schema;

namespace AuditGen.Hosting;

/// <summary>Registers the PostgreSQL store with <c>services.AddAuditTrail(o => o.UsePostgreSql(…))</c>.</summary>
public static class PostgreSqlAuditTrailBuilderExtensions
{
    /// <summary>
    /// Stores the trail in the PostgreSQL log <paramref name="logId"/> (see
    /// <see cref="PostgreSqlAuditTrail.OpenAsync(string, string, AuditTrailOptions?, System.Threading.CancellationToken)"/>):
    /// opened when the host starts, with the validated options; the schema is created or migrated then if the role may.
    /// </summary>
    /// <param name="builder">The trail's builder.</param>
    /// <param name="connectionString">Npgsql <c>Key=Value</c> form or a <c>postgres://</c> URI; checked now.</param>
    /// <param name="logId">The chain to append to (1–200 characters, no control characters); checked now.</param>
    /// <param name="configureWriter">Sets the writer's retry time and its held-lock and idle-connection timeouts (<see cref="PostgreSqlWriterOptions"/>); checked now.</param>
    /// <exception cref="ArgumentException">The connection string or log id is not valid, or a writer option is out of range.</exception>
    public static AuditTrailBuilder UsePostgreSql(this AuditTrailBuilder builder, string connectionString, string logId,
        Action<PostgreSqlWriterOptions>? configureWriter = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var normalized = PostgreSqlConnectionStrings.Normalize(connectionString);
        PostgreSqlAuditTrail.ValidateLogId(logId, nameof(logId));
        var writer = new PostgreSqlWriterOptions();
        configureWriter?.Invoke(writer);
        writer.Validate(nameof(configureWriter));
        // UseStore's factory is synchronous and runs once, at host start, outside any synchronization context.
        return builder.UseStore((_, options) => PostgreSqlAuditTrail.OpenAsync(normalized, logId, options, writer).GetAwaiter().GetResult());
    }
}
