using System.Text.RegularExpressions;
using AuditGen.PostgreSql.Schema;
using Npgsql;

namespace AuditGen.PostgreSql;

/// <summary>The roles <see cref="PostgreSqlAuditSchema.InitializeAsync(string, PostgreSqlAuditRoles?, IEnumerable{string}?, CancellationToken)"/> creates and grants.</summary>
/// <param name="Owner">Owns the schema, its tables and functions (NOLOGIN). Only it, or a superuser, can disable the triggers.</param>
/// <param name="App">What application instances run as (NOLOGIN: grant it to your service's login role): SELECT and INSERT only.</param>
/// <param name="Retention">What a retention job runs as: reads and appends (its <c>archive_created</c> and <c>retention_applied</c> records), records archive segments, and executes <c>auditgen.prune_archived_records</c>, the only way records leave.</param>
public sealed record PostgreSqlAuditRoles(string Owner = "auditgen_owner", string App = "auditgen_app", string Retention = "auditgen_retention");

/// <summary>What <see cref="PostgreSqlAuditSchema.InitializeAsync(string, PostgreSqlAuditRoles?, IEnumerable{string}?, CancellationToken)"/> did.</summary>
/// <param name="VersionBefore">The schema version found (0: none).</param>
/// <param name="Version">The schema version now.</param>
/// <param name="Roles">The roles that own and use the schema.</param>
/// <param name="Logs">The logs registered.</param>
public sealed record PostgreSqlAuditSchemaReport(int VersionBefore, int Version, PostgreSqlAuditRoles Roles, IReadOnlyList<string> Logs);

/// <summary>
/// Creates and migrates the store's schema for DBAs and deployment pipelines (the <c>auditgen db init</c> command calls
/// this). <see cref="PostgreSqlAuditTrail.OpenAsync(string, string, AuditTrailOptions?, CancellationToken)"/> migrates by
/// itself when its role may; this also creates the owner, application and retention roles and sets the privileges that
/// make the records append-only for the application.
/// </summary>
public static partial class PostgreSqlAuditSchema
{
    /// <summary>The schema version this library creates and reads.</summary>
    public static int CurrentVersion => SchemaMigrations.CurrentVersion;

    /// <summary>
    /// Idempotently creates or migrates the <c>auditgen</c> schema, creates the <paramref name="roles"/> (NOLOGIN) when
    /// missing, hands the schema to the owner role, grants the application role SELECT and INSERT only (UPDATE, DELETE
    /// and TRUNCATE are revoked) and registers <paramref name="logIds"/>. Run it as a superuser or a role with CREATEROLE
    /// that may create schemas in the database.
    /// </summary>
    /// <param name="connectionString">Npgsql <c>Key=Value</c> form or a <c>postgres://</c> URI.</param>
    /// <param name="roles">Role names; the defaults are <c>auditgen_owner</c>, <c>auditgen_app</c>, <c>auditgen_retention</c>.</param>
    /// <param name="logIds">Logs to register (each appender registers its own log on open anyway).</param>
    /// <param name="cancellationToken">Cancels the initialization (its transaction rolls back).</param>
    /// <exception cref="ArgumentException">A role name or log id is not valid.</exception>
    /// <exception cref="AuditTrailException">The schema is newer than this library.</exception>
    /// <exception cref="NpgsqlException">The database refused (connection, privileges).</exception>
    public static async Task<PostgreSqlAuditSchemaReport> InitializeAsync(string connectionString, PostgreSqlAuditRoles? roles = null,
        IEnumerable<string>? logIds = null, CancellationToken cancellationToken = default)
    {
        roles ??= new PostgreSqlAuditRoles();
        foreach (var role in new[] { roles.Owner, roles.App, roles.Retention })
            if (role is null || !RoleName().IsMatch(role))
                throw new ArgumentException($"Role name '{role}' must be lower-case letters, digits and underscores, starting with a letter or underscore (at most 63).", nameof(roles));
        if (roles.Owner == roles.App || roles.Owner == roles.Retention || roles.App == roles.Retention)
            throw new ArgumentException("The owner, application and retention roles must be three different roles.", nameof(roles));
        var logs = (logIds ?? []).ToList();
        foreach (var logId in logs)
            PostgreSqlAuditTrail.ValidateLogId(logId, nameof(logIds));

        await using var connection = new NpgsqlConnection(PostgreSqlConnectionStrings.Normalize(connectionString));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var before = await SchemaMigrator.EnsureCurrentAsync(connection, readOnly: false, cancellationToken).ConfigureAwait(false);

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var grants = new NpgsqlCommand(RolesSql(roles), connection, transaction))
            await grants.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        foreach (var logId in logs)
        {
            await using var register = new NpgsqlCommand("INSERT INTO auditgen.logs (log_id) VALUES ($1) ON CONFLICT DO NOTHING", connection, transaction);
            register.Parameters.Add(new NpgsqlParameter<string> { TypedValue = logId });
            await register.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PostgreSqlAuditSchemaReport(before, SchemaMigrations.CurrentVersion, roles, logs);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex RoleName();

    // Role names are validated identifiers, so they are safe to quote into DDL (which takes no parameters).
    private static string RolesSql(PostgreSqlAuditRoles roles)
    {
        var owner = $"\"{roles.Owner}\"";
        var app = $"\"{roles.App}\"";
        var retention = $"\"{roles.Retention}\"";
        return $"""
            DO $roles$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{roles.Owner}') THEN CREATE ROLE {owner} NOLOGIN; END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{roles.App}') THEN CREATE ROLE {app} NOLOGIN; END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{roles.Retention}') THEN CREATE ROLE {retention} NOLOGIN; END IF;
            END
            $roles$;
            ALTER SCHEMA auditgen OWNER TO {owner};
            ALTER TABLE auditgen.schema_version OWNER TO {owner};
            ALTER TABLE auditgen.logs OWNER TO {owner};
            ALTER TABLE auditgen.records OWNER TO {owner};
            ALTER TABLE auditgen.archive_manifests OWNER TO {owner};
            ALTER TABLE auditgen.tree_nodes OWNER TO {owner};
            ALTER FUNCTION auditgen.refuse_record_change() OWNER TO {owner};
            ALTER FUNCTION auditgen.refuse_truncate() OWNER TO {owner};
            ALTER TABLE auditgen.archive_segments OWNER TO {owner};
            ALTER TABLE auditgen.archived_records OWNER TO {owner};
            ALTER FUNCTION auditgen.prune_archived_records(text, text, bigint[]) OWNER TO {owner};
            ALTER FUNCTION auditgen.tree_node(text, bigint) OWNER TO {owner};
            ALTER FUNCTION auditgen.link_batch(text, bytea[], bytea[], bytea[]) OWNER TO {owner};
            REVOKE ALL ON SCHEMA auditgen FROM PUBLIC;
            REVOKE ALL ON ALL TABLES IN SCHEMA auditgen FROM PUBLIC, {app}, {retention};
            REVOKE ALL ON FUNCTION auditgen.prune_archived_records(text, text, bigint[]) FROM PUBLIC, {app};
            GRANT USAGE ON SCHEMA auditgen TO {app}, {retention};
            GRANT SELECT, INSERT ON auditgen.records, auditgen.logs, auditgen.tree_nodes TO {app}, {retention};
            GRANT SELECT ON auditgen.schema_version, auditgen.archive_manifests, auditgen.archive_segments, auditgen.archived_records TO {app}, {retention};
            GRANT INSERT ON auditgen.archive_segments TO {retention};
            GRANT EXECUTE ON FUNCTION auditgen.prune_archived_records(text, text, bigint[]) TO {retention};
            """;
    }
}
