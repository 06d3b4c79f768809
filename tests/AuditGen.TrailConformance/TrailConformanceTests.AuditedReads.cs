using AuditGen.Queries;

namespace AuditGen.TrailConformance;

// Audited reads work over any store: the access record lands in the same trail, before the records are handed over.
public abstract partial class TrailConformanceTests
{
    [StoreFact]
    public async Task An_operator_read_of_restricted_records_is_recorded_in_the_same_trail_and_redacted()
    {
        var trail = await OpenAsync();
        for (var i = 0; i < 3; i++)
            await trail.AppendAsync(ConformanceEntries.ToolCall(i));

        var read = await new AuditedReader(trail, new AuditReader("sre.alice", AuditReaderRole.Operator)).ReadAsync(new AuditQuery { ConversationId = "conv-1" });
        var views = await read.ToListAsync();

        Assert.Equal(3, views.Count);
        Assert.All(views, v => Assert.True(v.IsRedacted));
        var access = Assert.Single(await QueryAsync(trail, new AuditQuery { Action = AuditAction.AuditLogAccessed }));
        Assert.Equal(3, access.Sequence);
        Assert.Equal(read.AccessRecord, access);
        Assert.Equal(
            """{"filter":{"conversationId":"conv-1"},"firstSequence":0,"lastSequence":2,"reader":"sre.alice","returned":3,"role":"operator","withheld":3}""",
            access.Details);
        Assert.True((await trail.VerifyAsync()).IsValid);
    }

    [StoreFact]
    public async Task A_read_of_public_records_leaves_no_access_record()
    {
        var trail = await OpenAsync();
        await trail.AppendAsync(ConformanceEntries.Failure());

        var read = await new AuditedReader(trail, new AuditReader("sre.alice", AuditReaderRole.Operator)).ReadAsync(new AuditQuery());

        Assert.Single(await read.ToListAsync());
        Assert.Null(read.AccessRecord);
        Assert.Single(await QueryAsync(trail));
    }
}
