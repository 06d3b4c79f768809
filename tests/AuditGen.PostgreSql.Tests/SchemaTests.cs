using AuditGen.PostgreSql.Schema;
using AuditGen.PostgreSql.Tests.Support;
using Npgsql;

namespace AuditGen.PostgreSql.Tests;

/// <summary>The library creates and migrates its schema itself, once, whoever opens first.</summary>
[RequiresPostgres]
public sealed class SchemaTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [StoreFact]
    public async Task Many_instances_opening_a_fresh_database_at_once_create_the_schema_once()
    {
        var trails = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, $"tenant-{i}")));
        foreach (var trail in trails)
            await trail.DisposeAsync();

        Assert.Equal((long)SchemaMigrations.All.Count, await database.ScalarAsync<long>("SELECT count(*) FROM auditgen.schema_version"));
        Assert.Equal(PostgreSqlAuditSchema.CurrentVersion, await database.ScalarAsync<int>("SELECT max(version) FROM auditgen.schema_version"));
        Assert.Equal(8L, await database.ScalarAsync<long>("SELECT count(*) FROM auditgen.logs WHERE log_id LIKE 'tenant-%'"));
    }

    [StoreFact]
    public async Task Initializing_twice_changes_nothing_the_second_time()
    {
        var roles = new PostgreSqlAuditRoles("owner_idem", "app_idem", "retention_idem");
        database.RolesToDrop.AddRange([roles.Owner, roles.App, roles.Retention]);

        var first = await PostgreSqlAuditSchema.InitializeAsync(database.ConnectionString, roles, ["ward-7"]);
        var second = await PostgreSqlAuditSchema.InitializeAsync(database.ConnectionString, roles, ["ward-7"]);

        Assert.Equal(PostgreSqlAuditSchema.CurrentVersion, first.Version);
        Assert.Equal(PostgreSqlAuditSchema.CurrentVersion, second.VersionBefore);
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM auditgen.logs WHERE log_id = 'ward-7'"));
        Assert.Equal("owner_idem", await database.ScalarAsync<string>("SELECT tableowner::text FROM pg_tables WHERE schemaname = 'auditgen' AND tablename = 'records'"));
    }

    [StoreFact]
    public async Task A_schema_newer_than_the_library_is_refused_with_both_versions()
    {
        await using var fresh = new PostgresDatabase();
        await fresh.InitializeAsync();
        await (await PostgreSqlAuditTrail.OpenAsync(fresh.ConnectionString, "newer")).DisposeAsync();
        await fresh.ExecuteAsync("INSERT INTO auditgen.schema_version (version, description) VALUES (99, 'from the future')");

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => PostgreSqlAuditTrail.OpenAsync(fresh.ConnectionString, "newer"));

        Assert.Contains("version 99", error.Message);
        Assert.Contains($"({PostgreSqlAuditSchema.CurrentVersion})", error.Message);
    }

    [StoreFact]
    public async Task A_role_that_may_not_create_the_schema_is_told_to_run_db_init()
    {
        await using var fresh = new PostgresDatabase();
        await fresh.InitializeAsync();
        var login = "plain_" + fresh.Name[^12..];
        fresh.RolesToDrop.Add(login);
        await fresh.ExecuteAsync($"CREATE ROLE \"{login}\" LOGIN");

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => PostgreSqlAuditTrail.OpenAsync(fresh.ConnectionStringAs(login), "no-rights"));

        Assert.Contains("auditgen db init", error.Message);
        Assert.Contains(login, error.Message);
    }

    [StoreFact]
    public async Task A_reader_is_told_when_the_log_does_not_exist()
    {
        await (await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, "exists")).DisposeAsync();

        var error = await Assert.ThrowsAsync<AuditTrailException>(() =>
            PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, "never-written", new AuditTrailOptions { ReadOnly = true }));

        Assert.Contains("'never-written' does not exist", error.Message);
    }

    [StoreFact]
    public async Task A_postgres_uri_opens_the_same_log_as_the_connection_string()
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var uri = $"postgres://{Uri.EscapeDataString(builder.Username!)}@{builder.Host}:{builder.Port}/{builder.Database}";
        var written = await Appends.WriteAndCloseAsync(database.ConnectionString, "by-uri", 2);

        await using var trail = await PostgreSqlAuditTrail.OpenAsync(uri, "by-uri", new AuditTrailOptions { ReadOnly = true });

        Assert.Equal(written[^1].Hash, (await trail.VerifyAsync()).HeadHash);
    }
}

/// <summary>Argument and connection errors that need no server.</summary>
public sealed class OpeningErrorTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tab\tinside")]
    public async Task A_bad_log_id_is_refused_before_connecting(string logId)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => PostgreSqlAuditTrail.OpenAsync("Host=127.0.0.1;Port=1", logId));

        Assert.Equal("logId", error.ParamName);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_with_its_address()
    {
        var error = await Assert.ThrowsAsync<AuditTrailException>(() =>
            PostgreSqlAuditTrail.OpenAsync("Host=127.0.0.1;Port=1;Username=app;Database=audit;Timeout=2", "ward-7"));

        Assert.Contains("127.0.0.1:1", error.Message);
        Assert.Contains("ward-7", error.Message);
    }

    [Fact]
    public void A_postgres_uri_becomes_an_npgsql_connection_string()
    {
        var normalized = new NpgsqlConnectionStringBuilder(
            PostgreSqlConnectionStrings.Normalize("postgres://app%40svc:s%3Dcret@db.internal:6543/audit?sslmode=require"));

        Assert.Equal("app@svc", normalized.Username);
        Assert.Equal("s=cret", normalized.Password);
        Assert.Equal("db.internal", normalized.Host);
        Assert.Equal(6543, normalized.Port);
        Assert.Equal("audit", normalized.Database);
        Assert.Equal(SslMode.Require, normalized.SslMode);
    }

    [Fact]
    public void An_unknown_setting_in_a_connection_string_is_named()
    {
        var error = Assert.Throws<ArgumentException>(() => PostgreSqlConnectionStrings.Normalize("postgres://h/db?colour=blue"));

        Assert.Contains("colour", error.Message);
    }
}
