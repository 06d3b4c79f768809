namespace AuditGen.Tests.Support;

/// <summary>Sample entries and records.</summary>
internal static class Entries
{
    /// <summary>The conformance suite's tool call (every field set; <paramref name="i"/> varies action, tool, details and duration).</summary>
    public static AuditEntry ToolCall(int i, string conversation = "conv-1", string user = "dr.house") =>
        AuditGen.TrailConformance.ConformanceEntries.ToolCall(i, conversation, user);

    /// <summary>A record with every field set (none null), for codec tests.</summary>
    public static AuditRecord FullRecord() => new()
    {
        Sequence = 7,
        Id = Guid.Parse("01890a5d-ac96-774b-bcce-b302099a8057"),
        Timestamp = new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.Zero).AddTicks(5_897_930),
        Action = AuditAction.ToolFailed,
        ActorId = "triage-agent",
        ActorType = ActorType.Agent,
        ConversationId = "conv-1",
        UserId = "dr.house",
        SubjectId = "hmac:1:3f2a",
        AgentName = "triage",
        ToolName = "lookup_patient",
        ResourceType = "patient",
        ResourceId = "hmac:1:77aa",
        Classification = DataClass.Confidential,
        Domains = ComplianceDomain.Hipaa | ComplianceDomain.Soc2,
        Outcome = AuditOutcome.Failure,
        DurationMicros = 1250,
        Details = """{"args":{"mrn":"[erased]"},"callId":"c1"}""",
        Error = new AuditError("System.TimeoutException", "The EHR did not answer."),
        Model = "gpt-x",
        TokensIn = 120,
        TokensOut = 40,
        Cost = 0.0125m,
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        SpanId = "00f067aa0ba902b7",
        Sealed = "c2VhbGVk",
        PreviousHash = new string('a', 64),
        Hash = new string('b', 64),
    };
}
