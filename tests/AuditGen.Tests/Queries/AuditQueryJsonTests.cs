using AuditGen.Queries;

namespace AuditGen.Tests.Queries;

public sealed class AuditQueryJsonTests
{
    [Fact]
    public void An_empty_filter_is_an_empty_object() => Assert.Equal("{}", new AuditQuery().ToCanonicalJson());

    [Fact]
    public void Every_criterion_is_written_with_wire_names_in_canonical_member_order()
    {
        var query = new AuditQuery
        {
            ConversationId = "c", UserId = "u", ToolName = "t", Action = AuditAction.ToolFailed, ResourceType = "patient",
            ResourceId = "r", SubjectId = "s", Outcome = AuditOutcome.Denied, MinimumClassification = DataClass.Confidential,
            From = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)), To = new DateTimeOffset(2025, 1, 3, 0, 0, 0, TimeSpan.Zero).AddTicks(1),
            Limit = 10,
        };

        Assert.Equal(
            """{"action":"tool_failed","conversationId":"c","from":"2025-01-02T01:04:05.000000Z","limit":10,"minimumClassification":"confidential","outcome":"denied","resourceId":"r","resourceType":"patient","subjectId":"s","to":"2025-01-03T00:00:00.000001Z","toolName":"t","userId":"u"}""",
            query.ToCanonicalJson());
    }

    [Theory]
    [InlineData("auditor", AuditReaderRole.Auditor)]
    [InlineData("operator", AuditReaderRole.Operator)]
    [InlineData("admin", AuditReaderRole.Admin)]
    public void Role_wire_names_round_trip(string name, AuditReaderRole role)
    {
        Assert.Equal(name, role.ToWireName());
        Assert.True(AuditReaderRoles.TryParse(name, out var parsed));
        Assert.Equal(role, parsed);
    }

    [Fact]
    public void Role_names_are_exact() => Assert.False(AuditReaderRoles.TryParse("Auditor", out _));
}
