using AuditGen.Retention;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Retention;

public sealed class RetentionPlanTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public RetentionPlanTests() => Start = _folder.Time.GetUtcNow();

    private DateTimeOffset Start { get; }

    public void Dispose() => _folder.Dispose();

    private static AuditEntry Entry(ComplianceDomain domains, string conversation = "conv-1", string user = "u-1", AuditAction action = AuditAction.ToolCompleted) => new()
    {
        Action = action,
        ActorId = "agent-1",
        ConversationId = conversation,
        UserId = user,
        ToolName = "lookup",
        Domains = domains,
        Outcome = AuditOutcome.Success,
    };

    [Fact]
    public async Task A_plan_selects_the_expired_records_and_says_which_policy_expired_them_and_when()
    {
        await using var trail = _folder.Open();
        var soc2 = await trail.AppendAsync(Entry(ComplianceDomain.Soc2));
        var hipaa = await trail.AppendAsync(Entry(ComplianceDomain.Hipaa | ComplianceDomain.Soc2));
        var none = await trail.AppendAsync(Entry(ComplianceDomain.None));
        await trail.AppendAsync(Entry(ComplianceDomain.Financial));
        var decisions = new List<RetentionDecision>();

        var plan = await RetentionPlan.CreateAsync(trail, at: Start.AddYears(1), observe: decisions.Add);

        Assert.Equal([soc2.Sequence, none.Sequence], plan.Sequences);
        Assert.Equal(RetentionDisposition.Expired, decisions[0].Disposition);
        Assert.Equal("soc2", decisions[0].Policy!.Name);
        Assert.Equal(Start.AddYears(1), decisions[0].ExpiresAt);
        Assert.Equal(RetentionDisposition.Kept, decisions[1].Disposition);
        Assert.Equal("hipaa", decisions[1].Policy!.Name);
        Assert.Equal(Start.AddYears(6), decisions[1].ExpiresAt);
        Assert.Equal(hipaa.Sequence, decisions[1].Sequence);
        Assert.Equal("default", decisions[2].Policy!.Name);
        Assert.Equal(Start.AddYears(6), plan.NextExpiry);
    }

    [Fact]
    public async Task A_record_is_not_expired_until_the_instant_its_period_ends()
    {
        await using var trail = _folder.Open();
        await trail.AppendAsync(Entry(ComplianceDomain.Soc2));
        await trail.AppendAsync(Entry(ComplianceDomain.Hipaa));

        Assert.Empty((await RetentionPlan.CreateAsync(trail, at: Start.AddYears(1).AddTicks(-10))).Sequences);
        Assert.Single((await RetentionPlan.CreateAsync(trail, at: Start.AddYears(1))).Sequences);
    }

    [Fact]
    public async Task Expired_records_under_an_active_hold_are_held_back_naming_the_hold()
    {
        await using var trail = _folder.Open();
        await trail.AppendAsync(Entry(ComplianceDomain.Soc2, conversation: "conv-held"));
        await trail.AppendAsync(Entry(ComplianceDomain.Soc2, conversation: "conv-free"));
        var hold = await LegalHolds.PlaceAsync(trail, LegalHoldScope.Conversation("conv-held"), "Matter 7", "counsel");
        var decisions = new List<RetentionDecision>();

        var plan = await RetentionPlan.CreateAsync(trail, at: Start.AddYears(2), observe: decisions.Add);

        Assert.Equal([1L], plan.Sequences);
        Assert.Equal(RetentionDisposition.Held, decisions[0].Disposition);
        Assert.Equal(hold.Id, Assert.Single(decisions[0].HeldBy).Id);
        Assert.Equal(1, Assert.Single(plan.Holds).RecordsHeld);
        Assert.Equal(1, plan.Held);
    }

    [Fact]
    public async Task A_released_hold_no_longer_keeps_records()
    {
        await using var trail = _folder.Open();
        await trail.AppendAsync(Entry(ComplianceDomain.Soc2, user: "u-held"));
        var hold = await LegalHolds.PlaceAsync(trail, LegalHoldScope.User("u-held"), "Matter 7", "counsel");
        await LegalHolds.ReleaseAsync(trail, hold.Id, "closed", "counsel");

        var plan = await RetentionPlan.CreateAsync(trail, at: Start.AddYears(2));

        Assert.Equal([0L], plan.Sequences);
        Assert.Empty(plan.Holds);
    }

    [Fact]
    public async Task Lifecycle_records_never_expire()
    {
        await using var trail = _folder.Open();
        await LegalHolds.PlaceAsync(trail, LegalHoldScope.User("nobody"), "Matter 7", "counsel");
        await RetentionPolicyRecords.RecordAsync(trail, RetentionPolicySet.Defaults, "ops");
        foreach (var action in new[] { AuditAction.RetentionApplied, AuditAction.ArchiveCreated, AuditAction.SubjectErased, AuditAction.CheckpointSigned })
            await trail.AppendAsync(Entry(ComplianceDomain.None, action: action));

        var plan = await RetentionPlan.CreateAsync(trail, at: Start.AddYears(50));

        Assert.Empty(plan.Sequences);
        Assert.Equal(6, plan.Lifecycle);
        Assert.Equal(6, plan.RecordsEvaluated);
    }

    [Fact]
    public async Task Planning_writes_nothing()
    {
        await using (var trail = _folder.Open())
        {
            await trail.AppendAsync(Entry(ComplianceDomain.Soc2));
            await trail.AppendAsync(Entry(ComplianceDomain.Hipaa));
        }
        var journalBefore = await File.ReadAllBytesAsync(_folder.JournalPath);

        await using (var readOnly = _folder.Open(readOnly: true))
        {
            var plan = await RetentionPlan.CreateAsync(readOnly, at: Start.AddYears(3));
            Assert.Single(plan.Sequences);
            Assert.True(plan.PolicySetChanged);
        }

        Assert.Equal(journalBefore, await File.ReadAllBytesAsync(_folder.JournalPath));
    }

    [Fact]
    public async Task The_same_trail_policies_holds_and_instant_give_the_same_plan()
    {
        await using var trail = _folder.Open();
        for (var i = 0; i < 20; i++)
        {
            await trail.AppendAsync(Entry(i % 3 == 0 ? ComplianceDomain.Pci : ComplianceDomain.Financial, conversation: $"c-{i % 4}"));
            _folder.Time.Advance(TimeSpan.FromDays(40));
        }
        await LegalHolds.PlaceAsync(trail, LegalHoldScope.Conversation("c-1"), "Matter 7", "counsel");

        var first = await RetentionPlan.CreateAsync(trail, at: Start.AddYears(2));
        var second = await RetentionPlan.CreateAsync(trail, at: Start.AddYears(2));

        Assert.Equal(first.ToDetailsJson(), second.ToDetailsJson());
        Assert.Equal(first.Sequences, second.Sequences);
        Assert.Contains("\"holds\":[{\"held\":", first.ToDetailsJson());
    }

    [Fact]
    public async Task Counts_per_policy_add_up_to_the_records_they_decide()
    {
        await using var trail = _folder.Open();
        await trail.AppendAsync(Entry(ComplianceDomain.Pci));
        _folder.Time.Advance(TimeSpan.FromDays(300));
        await trail.AppendAsync(Entry(ComplianceDomain.Pci));
        await trail.AppendAsync(Entry(ComplianceDomain.Financial));

        var plan = await RetentionPlan.CreateAsync(trail, at: Start.AddDays(370));

        var pci = plan.PerPolicy.Single(c => c.Policy.Name == "pci");
        Assert.Equal(new RetentionPolicyCount(pci.Policy, Records: 2, Expired: 1, Held: 0, Kept: 1, Hot: 1), pci);
        Assert.Equal(1, plan.PerPolicy.Single(c => c.Policy.Name == "financial").Kept);
    }

    [Fact]
    public async Task Recording_the_policy_set_makes_it_the_recorded_one_until_it_changes()
    {
        await using var trail = _folder.Open();
        Assert.True(await RetentionPolicyRecords.DiffersFromRecordedAsync(trail, RetentionPolicySet.Defaults));

        var record = await RetentionPolicyRecords.RecordIfChangedAsync(trail, RetentionPolicySet.Defaults, "ops");
        var again = await RetentionPolicyRecords.RecordIfChangedAsync(trail, RetentionPolicySet.Defaults, "ops");
        var longerGdpr = RetentionPolicySet.Create(new RetentionOptions { GdprRetention = RetentionPeriod.FromYears(3) });

        Assert.Equal(AuditAction.RetentionPolicyChanged, record!.Action);
        Assert.Null(again);
        Assert.Equal(RetentionPolicySet.Defaults.ToCanonicalJson(), await RetentionPolicyRecords.ReadLastAsync(trail));
        Assert.True(await RetentionPolicyRecords.DiffersFromRecordedAsync(trail, longerGdpr));
    }

    [Fact]
    public async Task The_chains_newest_record_is_never_selected_even_when_expired()
    {
        await using var trail = _folder.Open();
        await trail.AppendAsync(Entry(ComplianceDomain.Soc2));
        await trail.AppendAsync(Entry(ComplianceDomain.Soc2));
        var decisions = new List<RetentionDecision>();

        var plan = await RetentionPlan.CreateAsync(trail, at: Start.AddYears(2), observe: decisions.Add);

        Assert.Equal([0L], plan.Sequences);
        Assert.Equal([RetentionDisposition.Expired, RetentionDisposition.Newest], decisions.Select(d => d.Disposition));
        Assert.Equal(1, plan.Kept);
    }
}
