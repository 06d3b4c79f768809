using System.Globalization;

namespace AuditGen.Benchmarks;

/// <summary>Representative tool-call records: the same content for the raw baseline and the trail.</summary>
internal static class SampleEntries
{
    private const string Details = "{\"arguments\":{\"floor\":3,\"mrn\":\"hmac:1:q83vEjRWeJCrze8SNFZ4kA\"},\"callId\":\"0193a5c2-7d1e-7c3b-9d2a-5e6f7a8b9c0d\"}";

    public static AuditEntry Entry(int writer, int index) => new()
    {
        Action = AuditAction.ToolInvoked,
        ActorId = "triage-agent",
        ConversationId = string.Create(CultureInfo.InvariantCulture, $"conv-{writer}"),
        UserId = "nurse.joy",
        AgentName = "triage-agent",
        ToolName = "lookup_patient",
        ResourceType = "Patient",
        SubjectId = "hmac:1:q83vEjRWeJCrze8SNFZ4kA",
        Classification = DataClass.Restricted,
        Domains = ComplianceDomain.Hipaa,
        Outcome = AuditOutcome.Success,
        DurationMicros = 120 + index % 50,
        Details = Details,
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        SpanId = "00f067aa0ba902b7",
    };
}
