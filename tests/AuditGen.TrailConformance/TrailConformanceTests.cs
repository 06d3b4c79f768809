using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace AuditGen.TrailConformance;

/// <summary>
/// What every store must do, whatever it is: LiteDB + journal, PostgreSQL, or the next one. A store's test project
/// derives one class from this, opening its trail and editing its storage the way an attacker with write access would.
/// </summary>
public abstract partial class TrailConformanceTests : IAsyncLifetime
{
    private readonly List<IAuditTrail> _open = [];

    /// <summary>The clock every trail of the test is stamped with (starts at a time with sub-microsecond ticks).</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.Zero).AddTicks(5_897_937));

    /// <summary>Options with the test clock.</summary>
    protected AuditTrailOptions Options(bool readOnly = false) => new() { TimeProvider = Time, ReadOnly = readOnly };

    /// <summary>Opens (creating on first use) this test's trail. It must also be <see cref="IAsyncDisposable"/>.</summary>
    protected abstract Task<IAuditTrail> OpenTrailAsync(AuditTrailOptions options);

    /// <summary>With every trail closed, sets the stored classification of <paramref name="sequence"/> to the wire text <paramref name="wireValue"/>, bypassing the store's guards.</summary>
    protected abstract Task SetStoredClassificationAsync(long sequence, string wireValue);

    /// <summary>With every trail closed, deletes the stored record of <paramref name="sequence"/>, bypassing the store's guards.</summary>
    protected abstract Task DeleteStoredRecordAsync(long sequence);

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var trail in _open.ToArray())
            await CloseAsync(trail);
    }

    private async Task<IAuditTrail> OpenAsync(bool readOnly = false)
    {
        var trail = await OpenTrailAsync(Options(readOnly));
        _open.Add(trail);
        return trail;
    }

    private async Task CloseAsync(IAuditTrail trail)
    {
        if (_open.Remove(trail))
            await ((IAsyncDisposable)trail).DisposeAsync();
    }

    private async Task<List<AuditRecord>> WriteAndCloseAsync(int count, int start = 0)
    {
        var trail = await OpenAsync();
        var records = new List<AuditRecord>();
        for (var i = start; i < start + count; i++)
            records.Add(await trail.AppendAsync(ConformanceEntries.ToolCall(i)));
        await CloseAsync(trail);
        return records;
    }

    private async Task<VerificationResult> VerifyReadOnlyAsync()
    {
        var trail = await OpenAsync(readOnly: true);
        var result = await trail.VerifyAsync();
        await CloseAsync(trail);
        return result;
    }

    private static async Task<List<AuditRecord>> QueryAsync(IAuditTrail trail, AuditQuery? query = null)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(query ?? new AuditQuery()))
            records.Add(record);
        return records;
    }

    // Appends 30 records one second apart: conversations conv-0..2 in turn, dr.house for the first 15, dr.cuddy after.
    private async Task<(IAuditTrail Trail, List<AuditRecord> All)> AppendQueryCorpusAsync()
    {
        var trail = await OpenAsync();
        var all = new List<AuditRecord>();
        for (var i = 0; i < 30; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            all.Add(await trail.AppendAsync(ConformanceEntries.ToolCall(i, conversation: $"conv-{i % 3}", user: i < 15 ? "dr.house" : "dr.cuddy")));
        }
        return (trail, all);
    }

    [StoreFact]
    public async Task Appended_records_come_back_from_a_query_exactly_as_acknowledged()
    {
        var trail = await OpenAsync();
        var acknowledged = new List<AuditRecord>
        {
            await trail.AppendAsync(ConformanceEntries.ToolCall(0)),
            await trail.AppendAsync(ConformanceEntries.Failure()),
            await trail.AppendAsync(ConformanceEntries.ToolCall(1)),
        };

        Assert.Equal(acknowledged, await QueryAsync(trail));
        Assert.Equal([0L, 1L, 2L], acknowledged.Select(r => r.Sequence));
    }

    [StoreFact]
    public async Task Timestamps_come_back_to_the_microsecond_in_utc()
    {
        var trail = await OpenAsync();

        var record = await trail.AppendAsync(ConformanceEntries.ToolCall(0));

        var now = Time.GetUtcNow();
        Assert.Equal(now.AddTicks(-(now.UtcTicks % 10)), record.Timestamp);
        var stored = Assert.Single(await QueryAsync(trail));
        Assert.Equal(record.Timestamp, stored.Timestamp);
        Assert.Equal(TimeSpan.Zero, stored.Timestamp.Offset);
    }

    [StoreFact]
    public async Task A_reopened_trail_keeps_its_records_and_continues_the_chain()
    {
        var first = await WriteAndCloseAsync(10);

        var trail = await OpenAsync();
        var next = await trail.AppendAsync(ConformanceEntries.ToolCall(10));

        Assert.Equal(10, next.Sequence);
        Assert.Equal(first[^1].Hash, next.PreviousHash);
        Assert.Equal([.. first, next], await QueryAsync(trail));
    }

    [StoreFact]
    public async Task An_untouched_trail_verifies_and_reports_its_head_hash()
    {
        var written = await WriteAndCloseAsync(20);

        var result = await VerifyReadOnlyAsync();

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(20, result.RecordsChecked);
        Assert.Equal(written[^1].Hash, result.HeadHash);
    }

    [StoreFact]
    public async Task An_empty_trail_verifies()
    {
        var trail = await OpenAsync();

        var result = await trail.VerifyAsync();

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(0, result.RecordsChecked);
        Assert.Null(result.HeadHash);
    }

    [StoreFact]
    public async Task A_classification_changed_in_storage_is_a_hash_mismatch_at_that_sequence()
    {
        await WriteAndCloseAsync(20);
        await SetStoredClassificationAsync(7, "public");

        var result = await VerifyReadOnlyAsync();

        Assert.Equal(VerificationFailure.HashMismatch, result.Failure);
        Assert.Equal(7, result.FirstBrokenSequence);
        Assert.Contains("Sequence 7", result.Reason);
    }

    [StoreFact]
    public async Task A_record_deleted_from_storage_is_a_gap_at_its_sequence()
    {
        await WriteAndCloseAsync(20);
        await DeleteStoredRecordAsync(7);

        var result = await VerifyReadOnlyAsync();

        Assert.Equal(VerificationFailure.Gap, result.Failure);
        Assert.Equal(7, result.FirstBrokenSequence);
    }

    [StoreFact]
    public async Task A_value_the_store_never_writes_is_reported_as_malformed()
    {
        await WriteAndCloseAsync(20);
        await SetStoredClassificationAsync(11, "top_secret");

        var result = await VerifyReadOnlyAsync();

        Assert.Equal(VerificationFailure.Malformed, result.Failure);
        Assert.Equal(11, result.FirstBrokenSequence);
        Assert.Contains("top_secret", result.Reason);
    }

    [StoreFact]
    public async Task A_query_right_after_append_sees_the_record()
    {
        var trail = await OpenAsync();

        var record = await trail.AppendAsync(ConformanceEntries.ToolCall(0));

        Assert.Equal(record, Assert.Single(await QueryAsync(trail)));
    }

    [StoreFact]
    public async Task A_query_by_conversation_returns_that_conversation_in_sequence_order()
    {
        var (trail, all) = await AppendQueryCorpusAsync();

        Assert.Equal(all.Where(r => r.ConversationId == "conv-1"), await QueryAsync(trail, new AuditQuery { ConversationId = "conv-1" }));
    }

    [StoreFact]
    public async Task A_query_by_user_returns_only_that_users_records()
    {
        var (trail, all) = await AppendQueryCorpusAsync();

        Assert.Equal(all.Where(r => r.UserId == "dr.cuddy"), await QueryAsync(trail, new AuditQuery { UserId = "dr.cuddy" }));
    }

    [StoreFact]
    public async Task A_query_by_tool_returns_only_that_tools_records()
    {
        var (trail, all) = await AppendQueryCorpusAsync();

        Assert.Equal(all.Where(r => r.ToolName == "lookup_patient"), await QueryAsync(trail, new AuditQuery { ToolName = "lookup_patient" }));
    }

    [StoreFact]
    public async Task A_query_by_action_returns_only_that_action()
    {
        var (trail, all) = await AppendQueryCorpusAsync();

        Assert.Equal(all.Where(r => r.Action == AuditAction.ToolCompleted), await QueryAsync(trail, new AuditQuery { Action = AuditAction.ToolCompleted }));
    }

    [StoreFact]
    public async Task A_time_range_includes_its_start_and_excludes_its_end()
    {
        var (trail, all) = await AppendQueryCorpusAsync();

        Assert.Equal(all.Skip(10).Take(5), await QueryAsync(trail, new AuditQuery { From = all[10].Timestamp, To = all[15].Timestamp }));
    }

    [StoreFact]
    public async Task A_limit_returns_the_first_records_in_sequence_order()
    {
        var (trail, all) = await AppendQueryCorpusAsync();

        Assert.Equal(all.Take(4), await QueryAsync(trail, new AuditQuery { Limit = 4 }));
        Assert.Empty(await QueryAsync(trail, new AuditQuery { Limit = 0 }));
    }

    [StoreFact]
    public async Task Every_filter_set_must_match()
    {
        var (trail, all) = await AppendQueryCorpusAsync();

        var query = new AuditQuery
        {
            ConversationId = "conv-2", UserId = "dr.house", ToolName = "schedule_visit", Action = AuditAction.ToolInvoked,
            From = all[1].Timestamp, To = all[29].Timestamp, Limit = 10,
        };
        var expected = all.Where(r => r.ConversationId == "conv-2" && r.UserId == "dr.house" && r.ToolName == "schedule_visit"
            && r.Action == AuditAction.ToolInvoked && r.Timestamp >= all[1].Timestamp && r.Timestamp < all[29].Timestamp).Take(10).ToList();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, await QueryAsync(trail, query));
    }

    [StoreFact]
    public async Task Identifiers_match_exactly_so_a_query_never_returns_another_users_records()
    {
        var trail = await OpenAsync();
        var lower = await trail.AppendAsync(ConformanceEntries.ToolCall(0, conversation: "conv-a", user: "dr.grey"));
        await trail.AppendAsync(ConformanceEntries.ToolCall(1, conversation: "CONV-A", user: "Dr.Grey"));

        Assert.Equal([lower], await QueryAsync(trail, new AuditQuery { UserId = "dr.grey", ConversationId = "conv-a" }));
        Assert.Empty(await QueryAsync(trail, new AuditQuery { UserId = "DR.GREY" }));
    }

    [StoreFact]
    public async Task Sixteen_concurrent_writers_build_one_unforked_gap_free_chain()
    {
        const int writers = 16, perWriter = 300;
        var returned = new ConcurrentBag<AuditRecord>();
        var trail = await OpenAsync();

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
                returned.Add(await trail.AppendAsync(ConformanceEntries.ToolCall(i, conversation: $"conv-{w}")));
        })));

        Assert.Equal(Enumerable.Range(0, writers * perWriter).Select(i => (long)i), returned.Select(r => r.Sequence).Order());
        Assert.Equal(writers * perWriter, returned.Select(r => r.Id).Distinct().Count());
        var stored = await QueryAsync(trail);
        Assert.Equal(returned.OrderBy(r => r.Sequence), stored);
        var result = await trail.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(writers * perWriter, result.RecordsChecked);
    }

    [StoreFact]
    public async Task Details_that_are_not_a_json_object_are_refused_before_anything_is_written()
    {
        var trail = await OpenAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(async () =>
            await trail.AppendAsync(ConformanceEntries.ToolCall(0) with { Details = "[1, 2]" }));

        Assert.Contains("JSON object", error.Message);
        Assert.Empty(await QueryAsync(trail));
    }

    [StoreFact]
    public async Task An_undefined_enum_value_is_refused_with_its_name()
    {
        var trail = await OpenAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await trail.AppendAsync(ConformanceEntries.ToolCall(0) with { Classification = (DataClass)42 }));

        Assert.Contains("42", error.Message);
        Assert.Empty(await QueryAsync(trail));
    }

    [StoreFact]
    public async Task An_integer_beyond_json_precision_fails_only_its_own_append()
    {
        var trail = await OpenAsync();

        var refused = trail.AppendAsync(ConformanceEntries.ToolCall(0) with { TokensIn = 1L << 53 });
        var accepted = await trail.AppendAsync(ConformanceEntries.ToolCall(1));

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await refused);
        Assert.Equal(0, accepted.Sequence);
        Assert.Equal([accepted], await QueryAsync(trail));
    }

    [StoreFact]
    public async Task Appending_to_a_closed_trail_fails_with_a_clear_error()
    {
        var trail = await OpenAsync();
        await CloseAsync(trail);

        var error = await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.AppendAsync(ConformanceEntries.ToolCall(0)));

        Assert.Contains("closed", error.Message);
    }

    [StoreFact]
    public async Task A_read_only_trail_refuses_appends()
    {
        await WriteAndCloseAsync(1);
        var reader = await OpenAsync(readOnly: true);

        var error = await Assert.ThrowsAsync<AuditTrailException>(async () => await reader.AppendAsync(ConformanceEntries.ToolCall(1)));

        Assert.Contains("read-only", error.Message);
    }
}
