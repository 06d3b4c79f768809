using AuditGen.TrailConformance;
using Npgsql;

namespace AuditGen.PostgreSql.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests use: <c>AUDITGEN_TEST_POSTGRES</c>, an Npgsql connection string of a superuser on a
/// throwaway cluster (<c>.ci/postgres.sh start DIR</c> starts one on 127.0.0.1 and prints it). Without it the tests are
/// skipped with that message, unless <c>AUDITGEN_REQUIRE_POSTGRES=1</c> (CI): then they run and fail.
/// </summary>
internal static class PostgresServer
{
    public const string Variable = "AUDITGEN_TEST_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static bool Required => Environment.GetEnvironmentVariable("AUDITGEN_REQUIRE_POSTGRES") == "1";

    public static string SkipReason =>
        $"No PostgreSQL server configured: set {Variable} to a superuser connection string of a throwaway cluster " +
        "(e.g. `export " + Variable + "=$(.ci/postgres.sh start /tmp/auditgen-pg)`). CI sets it and AUDITGEN_REQUIRE_POSTGRES=1.";

    /// <summary>The server's connection string, or a failure naming the variable (CI requires the server).</summary>
    public static string Require() => ConnectionString ?? throw new InvalidOperationException(SkipReason);

    /// <summary>The same server, another database.</summary>
    public static string ForDatabase(string database) => new NpgsqlConnectionStringBuilder(Require()) { Database = database }.ConnectionString;
}

/// <summary>On a test class: its <see cref="StoreFactAttribute"/> tests need the PostgreSQL server.</summary>
public sealed class RequiresPostgresAttribute : StoreRequirementAttribute
{
    /// <inheritdoc />
    public override string? SkipReason => PostgresServer.ConnectionString is null && !PostgresServer.Required ? PostgresServer.SkipReason : null;
}

/// <summary>A fresh database for one test class, dropped afterwards.</summary>
public class PostgresDatabase : IAsyncLifetime
{
    public string Name { get; } = "auditgen_test_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Superuser connection string to this database.</summary>
    public string ConnectionString => PostgresServer.ForDatabase(Name);

    public virtual async Task InitializeAsync()
    {
        if (PostgresServer.ConnectionString is null && !PostgresServer.Required)
            return;
        await using var connection = new NpgsqlConnection(PostgresServer.Require());
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", connection);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>Cluster-wide roles a test created; dropped after the database.</summary>
    public List<string> RolesToDrop { get; } = [];

    public async Task DisposeAsync()
    {
        if (PostgresServer.ConnectionString is null)
            return;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PostgresServer.Require());
        await connection.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection))
            await drop.ExecuteNonQueryAsync();
        foreach (var role in Enumerable.Reverse(RolesToDrop))
        {
            await using var dropRole = new NpgsqlCommand($"DROP ROLE IF EXISTS \"{role}\"", connection);
            await dropRole.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Connection string to this database as <paramref name="login"/> (the cluster trusts loopback).</summary>
    public string ConnectionStringAs(string login) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Username = login, Password = null }.ConnectionString;

    /// <summary>Runs <c>db init</c>'s initialization with role names unique to this database, and creates a login in the app role.</summary>
    public async Task<(PostgreSqlAuditRoles Roles, string AppLogin, string RetentionLogin)> InitializeWithRolesAsync()
    {
        var suffix = Name["auditgen_test_".Length..];
        var roles = new PostgreSqlAuditRoles($"owner_{suffix}", $"app_{suffix}", $"retention_{suffix}");
        var appLogin = $"svc_{suffix}";
        var retentionLogin = $"janitor_{suffix}";
        RolesToDrop.AddRange([roles.Owner, roles.App, roles.Retention, appLogin, retentionLogin]);
        await PostgreSqlAuditSchema.InitializeAsync(ConnectionString, roles);
        await ExecuteAsync($"CREATE ROLE \"{appLogin}\" LOGIN IN ROLE \"{roles.App}\"");
        await ExecuteAsync($"CREATE ROLE \"{retentionLogin}\" LOGIN IN ROLE \"{roles.Retention}\"");
        return (roles, appLogin, retentionLogin);
    }

    /// <summary>Runs SQL as the superuser in this database.</summary>
    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A scalar as the superuser in this database.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>As a superuser with triggers off (<c>session_replication_role = replica</c>): what only an owner or superuser can do.</summary>
    public async Task ExecuteBypassingTriggersAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET session_replication_role = replica", connection))
            await off.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A database initialized like <c>auditgen db init</c> does, with a login in the application and retention roles.</summary>
public sealed class InitializedDatabase : PostgresDatabase
{
    public PostgreSqlAuditRoles Roles { get; private set; } = new();

    /// <summary>Connection string of a login that is a member of the application role only.</summary>
    public string AppConnectionString { get; private set; } = "";

    /// <summary>Connection string of a login that is a member of the retention role only.</summary>
    public string RetentionConnectionString { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (PostgresServer.ConnectionString is null && !PostgresServer.Required)
            return;
        var (roles, app, retention) = await InitializeWithRolesAsync();
        Roles = roles;
        AppConnectionString = ConnectionStringAs(app);
        RetentionConnectionString = ConnectionStringAs(retention);
    }
}
