using AuditGen.Retention;

namespace AuditGen.TrailConformance;

// Legal holds and retention plans live in the log itself, so they behave the same on every store.
public abstract partial class TrailConformanceTests
{
    [StoreFact]
    public async Task Legal_holds_placed_and_released_are_read_back_from_the_store()
    {
        var trail = await OpenAsync();
        var kept = await LegalHolds.PlaceAsync(trail, LegalHoldScope.Conversation("conv-1"), "Matter 2025-114", "counsel.ana");
        var released = await LegalHolds.PlaceAsync(trail, LegalHoldScope.TimeRange(Time.GetUtcNow().AddDays(-1), null), "Inquiry", "cco");
        await LegalHolds.ReleaseAsync(trail, released.Id, "Inquiry closed", "cco");

        var active = await LegalHolds.ReadActiveAsync(trail);
        var error = await Assert.ThrowsAsync<LegalHoldException>(() => LegalHolds.ReleaseAsync(trail, released.Id, "again", "cco"));

        Assert.Equal([kept], active);
        Assert.Contains("already released by cco", error.Message);
        Assert.True((await trail.VerifyAsync()).IsValid);
    }

    [StoreFact]
    public async Task A_retention_plan_selects_the_same_records_on_every_store()
    {
        var trail = await OpenAsync();
        await trail.AppendAsync(ConformanceEntries.ToolCall(0, conversation: "conv-held") with { Domains = ComplianceDomain.Soc2 });
        await trail.AppendAsync(ConformanceEntries.ToolCall(1, conversation: "conv-free") with { Domains = ComplianceDomain.Soc2 });
        await trail.AppendAsync(ConformanceEntries.ToolCall(2, conversation: "conv-free") with { Domains = ComplianceDomain.Hipaa | ComplianceDomain.Soc2 });
        var hold = await LegalHolds.PlaceAsync(trail, LegalHoldScope.Conversation("conv-held"), "Matter 7", "counsel");

        var plan = await RetentionPlan.CreateAsync(trail, RetentionPolicySet.Defaults, Time.GetUtcNow().AddYears(2));

        Assert.Equal([1L], plan.Sequences);
        Assert.Equal(1, plan.Held);
        Assert.Equal(hold.Id, Assert.Single(plan.Holds).Hold.Id);
        Assert.Equal(1, plan.Lifecycle);
    }
}
