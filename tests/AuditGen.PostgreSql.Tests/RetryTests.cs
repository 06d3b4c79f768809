using System.Collections.Concurrent;
using AuditGen.PostgreSql.Storage;
using AuditGen.PostgreSql.Tests.Support;
using Npgsql;

namespace AuditGen.PostgreSql.Tests;

/// <summary>Lost connections in the middle of a group commit: nothing acknowledged is lost, nothing is written twice.</summary>
[RequiresPostgres]
public sealed class RetryTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private readonly string _logId = Appends.NewLogId("retry");

    private async Task TerminateAsync(NpgsqlConnection victim) =>
        Assert.True(await database.ScalarAsync<bool>("SELECT pg_terminate_backend($1)", victim.ProcessID));

    private static async Task<List<AuditRecord>> AppendConcurrentlyAsync(IAuditTrail trail, int writers, int perWriter)
    {
        var acknowledged = new ConcurrentBag<AuditRecord>();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
                acknowledged.Add(await trail.AppendAsync(ConformanceEntries.ToolCall(i, conversation: $"conv-{w}")));
        })));
        return [.. acknowledged.OrderBy(r => r.Sequence)];
    }

    private async Task AssertOneChainHoldingExactlyAsync(IAuditTrail trail, List<AuditRecord> acknowledged)
    {
        Assert.Equal(Enumerable.Range(0, acknowledged.Count).Select(i => (long)i), acknowledged.Select(r => r.Sequence));
        Assert.Equal(acknowledged.Count, await database.ScalarAsync<long>("SELECT count(*) FROM auditgen.records WHERE log_id = $1", _logId));
        var stored = await Appends.StoredAsync(trail);
        Assert.Equal(acknowledged, stored);
        var result = await trail.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
    }

    [StoreFact]
    public async Task A_backend_killed_after_the_tail_was_read_is_retried_without_losing_or_duplicating_a_record()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        var kills = 0;
        trail.Sink!.TestHook = async (stage, connection) =>
        {
            if (stage == CommitStage.BeforeInsert && kills < 3)
            {
                kills++;
                await TerminateAsync(connection);
            }
        };

        var acknowledged = await AppendConcurrentlyAsync(trail, writers: 8, perWriter: 50);

        Assert.Equal(3, kills);
        Assert.True(trail.Sink.Retries >= 3, $"retries: {trail.Sink.Retries}");
        await AssertOneChainHoldingExactlyAsync(trail, acknowledged);
    }

    [StoreFact]
    public async Task A_commit_whose_answer_was_lost_is_found_by_its_record_ids_and_acknowledged_once()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        var lost = 0;
        trail.Sink!.TestHook = async (stage, connection) =>
        {
            if (stage == CommitStage.AfterCommit && lost < 2)
            {
                lost++;
                // The commit is durable; the connection dies before its answer reaches the writer.
                await TerminateAsync(connection);
                throw new NpgsqlException("Simulated: the connection broke while COMMIT's answer was in flight.", new IOException("connection reset"));
            }
        };

        var acknowledged = await AppendConcurrentlyAsync(trail, writers: 8, perWriter: 50);

        Assert.Equal(2, trail.Sink.RecoveredCommits);
        await AssertOneChainHoldingExactlyAsync(trail, acknowledged);
    }

    [StoreFact]
    public async Task Two_trails_on_one_log_in_one_process_share_one_unforked_chain()
    {
        await using var first = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await using var second = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);

        var both = await Task.WhenAll(AppendConcurrentlyAsync(first, 4, 100), AppendConcurrentlyAsync(second, 4, 100));

        await AssertOneChainHoldingExactlyAsync(first, [.. both.SelectMany(r => r).OrderBy(r => r.Sequence)]);
    }

    [StoreFact]
    public async Task A_writer_whose_remembered_tail_is_stale_links_onto_the_real_one()
    {
        await using var first = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await using var second = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);

        var a = await first.AppendAsync(ConformanceEntries.ToolCall(0));
        var b = await second.AppendAsync(ConformanceEntries.ToolCall(1));
        var c = await first.AppendAsync(ConformanceEntries.ToolCall(2)); // first still remembers a as the tail

        Assert.Equal([0L, 1L, 2L], new[] { a.Sequence, b.Sequence, c.Sequence });
        Assert.Equal(b.Hash, c.PreviousHash);
        await AssertOneChainHoldingExactlyAsync(first, [a, b, c]);
    }

    [StoreFact]
    public async Task A_lone_writer_commits_every_group_commit_in_one_round_trip()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);

        var records = new List<AuditRecord>();
        for (var i = 0; i < 10; i++)
            records.Add(await trail.AppendAsync(ConformanceEntries.ToolCall(i)));

        // The first commit reads the tail (without the lock) before its one trip; each answer carries the next tail.
        Assert.Equal(10, trail.Sink!.OneTripCommits);
        Assert.Equal(0, trail.Sink.TailMisses);
        Assert.Equal(0, trail.Sink.LockedCommits);
        await AssertOneChainHoldingExactlyAsync(trail, records);
    }

    [StoreFact]
    public async Task A_writer_that_misses_the_tail_links_its_batch_under_the_lock_it_kept_in_one_more_trip()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await using var other = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        var first = await trail.AppendAsync(ConformanceEntries.ToolCall(0));
        AuditRecord? moved = null;
        trail.Sink!.TestHook = async (stage, _) =>
        {
            // Another writer appends before the one-trip attempt, which therefore finds the tail moved. (Appending again
            // at the second trip would wait for the lock this writer then holds.)
            if (stage == CommitStage.BeforeInsert && moved is null)
                moved = await other.AppendAsync(ConformanceEntries.ToolCall(1));
        };

        var last = await trail.AppendAsync(ConformanceEntries.ToolCall(99));

        Assert.Equal(1, trail.Sink.TailMisses);
        Assert.Equal(1, trail.Sink.LockedCommits);
        Assert.Equal(moved!.Hash, last.PreviousHash);
        await AssertOneChainHoldingExactlyAsync(trail, [first, moved, last]);

        // The lock was released: the other writer appends at once, onto the batch.
        var after = await other.AppendAsync(ConformanceEntries.ToolCall(100));
        Assert.Equal(last.Hash, after.PreviousHash);
    }

    [StoreFact]
    public async Task A_writer_whose_connection_fails_while_it_holds_the_lock_releases_it()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await using var other = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        var first = await trail.AppendAsync(ConformanceEntries.ToolCall(0));
        AuditRecord? moved = null;
        var killed = false;
        trail.Sink!.TestHook = async (stage, connection) =>
        {
            if (stage != CommitStage.BeforeInsert)
                return;
            if (moved is null)
            {
                moved = await other.AppendAsync(ConformanceEntries.ToolCall(1));
            }
            else if (!killed)
            {
                // Second trip, lock held since the miss: the backend dies with it.
                killed = true;
                await database.ExecuteAsync("SELECT pg_terminate_backend($1)", connection.ProcessID);
            }
        };

        var last = await trail.AppendAsync(ConformanceEntries.ToolCall(99));

        Assert.True(killed);
        Assert.True(trail.Sink.Retries >= 1);
        var after = await other.AppendAsync(ConformanceEntries.ToolCall(100));
        Assert.Equal(last.Hash, after.PreviousHash);
        await AssertOneChainHoldingExactlyAsync(trail, [first, moved!, last, after]);
    }

    [StoreFact]
    public async Task A_writer_that_stalls_while_it_holds_the_lock_loses_it_and_the_logs_other_writers_go_on()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await using var other = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        var first = await trail.AppendAsync(ConformanceEntries.ToolCall(0));
        trail.Sink!.HeldLockTimeout = TimeSpan.FromMilliseconds(500);
        AuditRecord? moved = null;
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        trail.Sink.TestHook = async (stage, _) =>
        {
            if (stage != CommitStage.BeforeInsert)
                return;
            if (moved is null)
            {
                moved = await other.AppendAsync(ConformanceEntries.ToolCall(1));
            }
            else if (!stalled.Task.IsCompleted)
            {
                // Second trip, lock held since the miss: this writer stalls (a paused VM) until the other has appended.
                stalled.SetResult();
                await resume.Task;
            }
        };

        var stalledAppend = trail.AppendAsync(ConformanceEntries.ToolCall(2)).AsTask();
        await stalled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        AuditRecord during;
        try
        {
            // Waits for the lock until the server ends the stalled session; without that guard it would wait forever.
            during = await other.AppendAsync(ConformanceEntries.ToolCall(3)).AsTask().WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            resume.SetResult();
        }
        var last = await stalledAppend;

        Assert.True(trail.Sink.Retries >= 1, $"retries: {trail.Sink.Retries}");
        Assert.Equal(moved!.Hash, during.PreviousHash);
        Assert.Equal(during.Hash, last.PreviousHash);
        await AssertOneChainHoldingExactlyAsync(trail, [first, moved, during, last]);
    }

    [StoreFact]
    public async Task A_writer_that_faults_while_it_holds_the_lock_releases_it_for_the_logs_other_writers()
    {
        // The application's own data source: its pool outlives the trail, and so would a lock left on a pooled session.
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(database.ConnectionString);
        var trail = await PostgreSqlAuditTrail.OpenAsync(dataSource, _logId);
        await using var other = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await trail.AppendAsync(ConformanceEntries.ToolCall(0));
        var moved = false;
        trail.Sink!.TestHook = async (stage, _) =>
        {
            if (stage != CommitStage.BeforeInsert)
                return;
            if (!moved)
            {
                moved = true;
                await other.AppendAsync(ConformanceEntries.ToolCall(1));
                return;
            }
            // Second trip, lock held since the miss: a failure that is not the database's faults the writer.
            throw new InvalidOperationException("injected writer bug");
        };

        await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.AppendAsync(ConformanceEntries.ToolCall(2)));
        var fault = await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.DisposeAsync());

        Assert.Contains("injected writer bug", fault.ToString());
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = hashtext($1)::oid", _logId));
        var after = await other.AppendAsync(ConformanceEntries.ToolCall(3));
        Assert.Equal(2, after.Sequence);
    }

    [StoreFact]
    public async Task A_commit_whose_wal_flush_fails_is_not_acknowledged_although_its_transaction_committed()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        var first = await trail.AppendAsync(ConformanceEntries.ToolCall(0));
        trail.Sink!.RetryTimeout = TimeSpan.FromSeconds(2);
        // The flush after the asynchronous COMMIT fails: the batch is visible, but not known durable.
        await database.ExecuteAsync("ALTER FUNCTION pg_logical_emit_message(boolean, text, text) RENAME TO pg_logical_emit_message_hidden");
        AuditTrailException failure;
        try
        {
            failure = await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.AppendAsync(ConformanceEntries.ToolCall(1)));
        }
        finally
        {
            await database.ExecuteAsync("ALTER FUNCTION pg_logical_emit_message_hidden(boolean, text, text) RENAME TO pg_logical_emit_message");
        }

        Assert.Contains("may or may not have been committed", failure.Message);
        Assert.Equal(2, await database.ScalarAsync<long>("SELECT count(*) FROM auditgen.records WHERE log_id = $1", _logId));
        var next = await trail.AppendAsync(ConformanceEntries.ToolCall(2));
        Assert.Equal(2, next.Sequence);
        var result = await trail.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(0, first.Sequence);
    }
}
