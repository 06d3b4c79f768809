using AuditGen.Hosting;
using AuditGen.PostgreSql.Storage;
using AuditGen.PostgreSql.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AuditGen.PostgreSql.Tests;

/// <summary>
/// <see cref="PostgreSqlWriterOptions"/> at work: the retry time governs the writer, the held-lock timeout the server.
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

    [StoreFact]
    public async Task UsePostgreSql_gives_the_hosted_trails_writer_the_configured_settings()
    {
        var services = new ServiceCollection();
        services.AddAuditTrail(o => o.UsePostgreSql(database.ConnectionString, _logId, writer =>
        {
            writer.RetryTimeout = TimeSpan.FromMinutes(2);
            writer.HeldLockTimeout = TimeSpan.FromSeconds(3);
        }));
        await using var provider = services.BuildServiceProvider();

        var trail = (PostgreSqlAuditTrail)provider.GetRequiredService<IAuditTrail>();

        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(3)), (trail.Sink!.RetryTimeout, trail.Sink.HeldLockTimeout));
    }
}
