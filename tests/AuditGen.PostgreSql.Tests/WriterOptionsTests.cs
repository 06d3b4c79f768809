using AuditGen.Hosting;
using AuditGen.PostgreSql.Storage;
using AuditGen.PostgreSql.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace AuditGen.PostgreSql.Tests;

/// <summary>
/// <see cref="PostgreSqlWriterOptions"/> at work: the retry time governs the writer, the held-lock timeout the server, and
/// an idle writer gives its connection back to the pool.
/// </summary>
[RequiresPostgres]
public sealed class WriterOptionsTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private readonly string _logId = Appends.NewLogId("writer-options");

    [StoreFact]
    public async Task The_held_lock_timeout_is_what_the_server_enforces_on_a_writer_that_holds_the_lock_after_a_miss()
    {
        var writer = new PostgreSqlWriterOptions { HeldLockTimeout = TimeSpan.FromMilliseconds(750) };
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, options: null, writer);
        await using var other = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await trail.AppendAsync(ConformanceEntries.ToolCall(0));
        var moved = false;
        string? enforced = null;
        trail.Sink!.TestHook = async (stage, connection) =>
        {
            if (stage != CommitStage.BeforeInsert)
                return;
            if (!moved)
            {
                moved = true;
                await other.AppendAsync(ConformanceEntries.ToolCall(1));
                return;
            }
            // The second trip after the miss: this session holds the log's lock across the writer's turnaround.
            await using var setting = new NpgsqlCommand("SELECT current_setting('idle_session_timeout')", connection);
            enforced = (string?)await setting.ExecuteScalarAsync();
        };

        await trail.AppendAsync(ConformanceEntries.ToolCall(2));

        Assert.Equal(1, trail.Sink.TailMisses);
        Assert.Equal("750ms", enforced);
    }

    [StoreFact]
    public async Task A_writer_with_no_retry_time_fails_a_commit_whose_connection_broke_instead_of_retrying_it()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, options: null,
            new PostgreSqlWriterOptions { RetryTimeout = TimeSpan.Zero });
        var first = await trail.AppendAsync(ConformanceEntries.ToolCall(0));
        var killed = false;
        trail.Sink!.TestHook = async (stage, connection) =>
        {
            if (stage == CommitStage.BeforeInsert && !killed)
            {
                killed = true;
                Assert.True(await database.ScalarAsync<bool>("SELECT pg_terminate_backend($1)", connection.ProcessID));
            }
        };

        var failure = await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.AppendAsync(ConformanceEntries.ToolCall(1)));
        var next = await trail.AppendAsync(ConformanceEntries.ToolCall(2));

        Assert.Contains("not committed", failure.Message);
        Assert.Equal(0, trail.Sink.Retries);
        Assert.Equal(first.Hash, next.PreviousHash);
        var result = await trail.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
    }

    // Two tenants' trails on one data source whose pool holds one connection (asking for a second fails after
    // `timeoutSeconds`), on one fake clock. Their writers do not retry: one that cannot get the connection fails at once
    // instead of waiting out the default 30 s.
    private sealed class TwoTenants(NpgsqlDataSource dataSource, FakeTimeProvider time, PostgreSqlAuditTrail first, PostgreSqlAuditTrail second) : IAsyncDisposable
    {
        public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(5);

        public FakeTimeProvider Time => time;

        public PostgreSqlAuditTrail First => first;

        public PostgreSqlAuditTrail Second => second;

        public static async Task<TwoTenants> OpenAsync(string connectionString, string logId, int timeoutSeconds)
        {
            var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 1, Timeout = timeoutSeconds });
            var writer = new PostgreSqlWriterOptions { RetryTimeout = TimeSpan.Zero, IdleConnectionTimeout = IdleTimeout };
            var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
            var a = await PostgreSqlAuditTrail.OpenAsync(dataSource, logId + "-a", new AuditTrailOptions { TimeProvider = time }, writer);
            var b = await PostgreSqlAuditTrail.OpenAsync(dataSource, logId + "-b", new AuditTrailOptions { TimeProvider = time }, writer);
            return new TwoTenants(dataSource, time, a, b);
        }

        public async ValueTask DisposeAsync()
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
            await dataSource.DisposeAsync();
        }
    }

    [StoreFact]
    public async Task Trails_of_two_tenants_share_a_pool_of_one_connection_because_an_idle_writer_gives_its_connection_back()
    {
        await using var tenants = await TwoTenants.OpenAsync(database.ConnectionString, _logId, timeoutSeconds: 2);

        var a0 = await tenants.First.AppendAsync(ConformanceEntries.ToolCall(0));    // the first writer takes the only connection
        tenants.Time.Advance(TwoTenants.IdleTimeout);                                // its wake-up finds it idle
        await tenants.First.FlushAsync();                                            // the wake-up was handled
        var b0 = await tenants.Second.AppendAsync(ConformanceEntries.ToolCall(1));   // so the second writer gets the connection
        tenants.Time.Advance(TwoTenants.IdleTimeout);
        await tenants.Second.FlushAsync();
        var a1 = await tenants.First.AppendAsync(ConformanceEntries.ToolCall(2));    // and the first gets it back

        Assert.Equal((0L, 0L, 1L), (a0.Sequence, b0.Sequence, a1.Sequence));
        Assert.Equal(a0.Hash, a1.PreviousHash);
        var result = await Appends.VerifyAsync(database.ConnectionString, _logId + "-a");   // the pool's connection is the writer's
        Assert.True(result.IsValid, result.Reason);
    }

    [StoreFact]
    public async Task A_writer_keeps_its_connection_while_it_was_used_within_the_idle_timeout()
    {
        await using var tenants = await TwoTenants.OpenAsync(database.ConnectionString, _logId, timeoutSeconds: 1);
        await tenants.First.AppendAsync(ConformanceEntries.ToolCall(0));
        tenants.Time.Advance(TimeSpan.FromSeconds(4));
        await tenants.First.AppendAsync(ConformanceEntries.ToolCall(1));
        tenants.Time.Advance(TimeSpan.FromSeconds(1));                              // a wake-up, 1 s after the last commit
        await tenants.First.FlushAsync();

        var refused = await Assert.ThrowsAsync<AuditTrailException>(async () => await tenants.Second.AppendAsync(ConformanceEntries.ToolCall(2)));

        Assert.Contains("could not be written", refused.Message);
    }

    [StoreFact]
    public async Task UsePostgreSql_gives_the_hosted_trails_writer_the_configured_settings()
    {
        var services = new ServiceCollection();
        services.AddAuditTrail(o => o.UsePostgreSql(database.ConnectionString, _logId, writer =>
        {
            writer.RetryTimeout = TimeSpan.FromMinutes(2);
            writer.HeldLockTimeout = TimeSpan.FromSeconds(3);
            writer.IdleConnectionTimeout = TimeSpan.FromMinutes(5);
        }));
        await using var provider = services.BuildServiceProvider();

        var trail = (PostgreSqlAuditTrail)provider.GetRequiredService<IAuditTrail>();

        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(5)),
            (trail.Sink!.RetryTimeout, trail.Sink.HeldLockTimeout, trail.Sink.IdleConnectionTimeout));
    }
}
