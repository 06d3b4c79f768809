using Npgsql;

namespace AuditGen.PostgreSql.Schema;

/// <summary>
/// Brings the <c>auditgen</c> schema to <see cref="SchemaMigrations.CurrentVersion"/>: idempotent, versioned in
/// <c>auditgen.schema_version</c>, and serialized by an advisory lock so instances starting together migrate once.
/// </summary>
internal static class SchemaMigrator
{
    /// <summary>The schema's version, or 0 when it does not exist.</summary>
    public static async Task<int> ReadVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT to_regclass('auditgen.schema_version') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            return 0;
        await using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM auditgen.schema_version", connection);
        return (int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Migrates to the current version if needed and returns the version found before. A reader never migrates: it
    /// needs the current version as it is.
    /// </summary>
    /// <exception cref="AuditTrailException">The schema is newer than this library, a reader found it missing or old, or the role may not migrate it.</exception>
    public static async Task<int> EnsureCurrentAsync(NpgsqlConnection connection, bool readOnly, CancellationToken cancellationToken)
    {
        var current = SchemaMigrations.CurrentVersion;
        var found = await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
        if (found == current)
            return found;
        if (found > current)
            throw new AuditTrailException(
                $"The PostgreSQL schema '{SchemaMigrations.SchemaName}' is at version {found}, newer than this AuditGen ({current}); upgrade AuditGen.PostgreSql.");
        if (readOnly)
            throw new AuditTrailException(found == 0
                ? $"The database has no AuditGen schema '{SchemaMigrations.SchemaName}'; there is no trail to read."
                : $"The PostgreSQL schema '{SchemaMigrations.SchemaName}' is at version {found}, this AuditGen reads version {current}; open a writer or run `auditgen db init` to migrate it.");

        try
        {
            return await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.InvalidSchemaName)
        {
            throw new AuditTrailException(
                $"Cannot {(found == 0 ? "create" : "migrate")} the PostgreSQL schema '{SchemaMigrations.SchemaName}' (version {found} → {current}) as role " +
                $"'{connection.UserName}': {e.MessageText}. Run `auditgen db init --postgres <connection string>` as the database owner first.", e);
        }
    }

    private static async Task<int> MigrateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var prepare = new NpgsqlCommand(
            $"""
            SELECT pg_advisory_xact_lock({AdvisoryLocks.Migration}, 0);
            CREATE SCHEMA IF NOT EXISTS auditgen;
            CREATE TABLE IF NOT EXISTS auditgen.schema_version (
                version      integer PRIMARY KEY,
                description  text NOT NULL,
                applied_at   timestamptz NOT NULL DEFAULT now()
            );
            """, connection, transaction))
        {
            await prepare.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // Under the lock: another instance may have migrated while this one waited.
        int found;
        await using (var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM auditgen.schema_version", connection, transaction))
            found = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;

        foreach (var migration in SchemaMigrations.All)
        {
            if (migration.Version <= found)
                continue;
            await using (var apply = new NpgsqlCommand(migration.Sql, connection, transaction))
                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand("INSERT INTO auditgen.schema_version (version, description) VALUES ($1, $2)", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Description });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return found;
    }
}
