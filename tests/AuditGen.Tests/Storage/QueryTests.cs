using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

public sealed class QueryTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Queries_filter_by_indexed_fields_in_sequence_order()
    {
        await using var trail = _folder.Open();
        var all = new List<AuditRecord>();
        for (var i = 0; i < 30; i++)
        {
            _folder.Time.Advance(TimeSpan.FromSeconds(1));
            all.Add(await trail.AppendAsync(Entries.ToolCall(i, conversation: $"conv-{i % 3}", user: i < 15 ? "dr.house" : "dr.cuddy")));
        }

        Assert.Equal(all.Where(r => r.ConversationId == "conv-1"), await TrailFixtures.QueryAllAsync(trail, new AuditQuery { ConversationId = "conv-1" }));
        Assert.Equal(all.Where(r => r.UserId == "dr.cuddy"), await TrailFixtures.QueryAllAsync(trail, new AuditQuery { UserId = "dr.cuddy" }));
        Assert.Equal(all.Where(r => r.ToolName == "lookup_patient"), await TrailFixtures.QueryAllAsync(trail, new AuditQuery { ToolName = "lookup_patient" }));
        Assert.Equal(all.Where(r => r.Action == AuditAction.ToolCompleted && r.ConversationId == "conv-2"),
            await TrailFixtures.QueryAllAsync(trail, new AuditQuery { Action = AuditAction.ToolCompleted, ConversationId = "conv-2" }));
        Assert.Equal(all.Skip(10).Take(5), await TrailFixtures.QueryAllAsync(trail, new AuditQuery { From = all[10].Timestamp, To = all[15].Timestamp }));
        Assert.Equal(all.Take(4), await TrailFixtures.QueryAllAsync(trail, new AuditQuery { Limit = 4 }));
    }

    [Fact]
    public async Task A_query_right_after_append_sees_the_record()
    {
        await using var trail = _folder.Open();

        var record = await trail.AppendAsync(Entries.ToolCall(0));

        Assert.Equal(record, Assert.Single(await TrailFixtures.QueryAllAsync(trail)));
    }

    [Fact]
    public async Task Identifiers_match_exactly_so_a_query_never_returns_another_users_records()
    {
        await using var trail = _folder.Open();
        var lower = await trail.AppendAsync(Entries.ToolCall(0, conversation: "conv-a", user: "dr.grey"));
        await trail.AppendAsync(Entries.ToolCall(1, conversation: "CONV-A", user: "Dr.Grey"));

        Assert.Equal([lower], await TrailFixtures.QueryAllAsync(trail, new AuditQuery { UserId = "dr.grey", ConversationId = "conv-a" }));
        Assert.Empty(await TrailFixtures.QueryAllAsync(trail, new AuditQuery { UserId = "DR.GREY" }));
    }
}
