namespace AuditGen.TrailConformance;

/// <summary>Entries the suite appends.</summary>
public static class ConformanceEntries
{
    /// <summary>A tool call with every field set; <paramref name="i"/> varies action, tool, details and duration.</summary>
    public static AuditEntry ToolCall(int i, string conversation = "conv-1", string user = "dr.house") => new()
    {
        Action = i % 2 == 0 ? AuditAction.ToolInvoked : AuditAction.ToolCompleted,
        ActorId = "triage-agent",
        ActorType = ActorType.Agent,
        ConversationId = conversation,
        UserId = user,
        SubjectId = "hmac:1:3f2a",
        AgentName = "triage",
        ToolName = i % 3 == 0 ? "lookup_patient" : "schedule_visit",
        ResourceType = "patient",
        ResourceId = "hmac:1:77aa",
        Classification = DataClass.Restricted,
        Domains = ComplianceDomain.Hipaa | ComplianceDomain.Gdpr,
        Outcome = AuditOutcome.Success,
        DurationMicros = 1_250 + i,
        Details = $$"""{ "n": {{i}}, "args": { "mrn": "[erased]" } }""",
        Model = "gpt-x",
        TokensIn = 120,
        TokensOut = 40,
        Cost = 0.0125m,
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        SpanId = "00f067aa0ba902b7",
    };

    /// <summary>A failure with an error, sealed content and no optional identifiers.</summary>
    public static AuditEntry Failure() => new()
    {
        Action = AuditAction.ToolFailed,
        ActorType = ActorType.System,
        Classification = DataClass.Public,
        Domains = ComplianceDomain.None,
        Outcome = AuditOutcome.Failure,
        Error = new AuditError("System.TimeoutException", "The EHR did not answer: \"ünïcødé\" ✓"),
        Sealed = "c2VhbGVk",
        Cost = 1.50m,
    };
}
