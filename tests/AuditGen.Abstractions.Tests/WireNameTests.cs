namespace AuditGen.Abstractions.Tests;

public sealed class WireNameTests
{
    [Fact]
    public void Every_action_has_a_distinct_snake_case_wire_name_that_parses_back()
    {
        var actions = Enum.GetValues<AuditAction>();
        var names = actions.Select(a => a.ToWireName()).ToArray();

        Assert.Equal(actions.Length, names.Distinct().Count());
        Assert.All(names, name => Assert.Matches("^[a-z]+(_[a-z]+)*$", name));
        Assert.All(actions, a => Assert.True(AuditWireNames.TryParseAction(a.ToWireName(), out var parsed) && parsed == a));
    }

    [Theory]
    [InlineData(AuditAction.ToolInvoked, "tool_invoked")]
    [InlineData(AuditAction.AgentResponseGenerated, "agent_response_generated")]
    [InlineData(AuditAction.AuditLogAccessed, "audit_log_accessed")]
    [InlineData(AuditAction.SubjectErased, "subject_erased")]
    [InlineData(AuditAction.Error, "error")]
    [InlineData(AuditAction.LegalHoldPlaced, "legal_hold_placed")]
    [InlineData(AuditAction.LegalHoldReleased, "legal_hold_released")]
    [InlineData(AuditAction.RetentionPolicyChanged, "retention_policy_changed")]
    public void Actions_use_the_names_the_design_lists(AuditAction action, string expected)
    {
        Assert.Equal(expected, action.ToWireName());
    }

    [Fact]
    public void Classifications_actor_types_and_outcomes_round_trip()
    {
        Assert.All(Enum.GetValues<DataClass>(), v => Assert.True(AuditWireNames.TryParseDataClass(v.ToWireName(), out var p) && p == v));
        Assert.All(Enum.GetValues<ActorType>(), v => Assert.True(AuditWireNames.TryParseActorType(v.ToWireName(), out var p) && p == v));
        Assert.All(Enum.GetValues<AuditOutcome>(), v => Assert.True(AuditWireNames.TryParseOutcome(v.ToWireName(), out var p) && p == v));
    }

    [Fact]
    public void Domains_are_written_in_flag_order_and_each_parses_back()
    {
        var all = Enum.GetValues<ComplianceDomain>().Where(d => d != ComplianceDomain.None).Aggregate((a, b) => a | b);

        Assert.Equal(["hipaa", "soc2", "financial", "pci", "gdpr", "eu_ai_act"], all.ToWireNames());
        Assert.Empty(ComplianceDomain.None.ToWireNames());
        Assert.All(all.ToWireNames(), n => Assert.True(AuditWireNames.TryParseDomain(n, out var d) && d != ComplianceDomain.None));
    }

    [Fact]
    public void Undefined_values_are_refused_rather_than_written_as_numbers()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((AuditAction)99).ToWireName());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((DataClass)42).ToWireName());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((ComplianceDomain)(1 << 10)).ToWireNames());
        Assert.False(AuditWireNames.TryParseAction("tool_exploded", out _));
        Assert.False(AuditWireNames.TryParseDataClass("Restricted", out _));
    }
}
