using System.Globalization;
using LiteDB;

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

    /// <summary>The same fields as a LiteDB document, plus the sequence, id, time and hashes a record carries.</summary>
    public static BsonDocument ToDocument(int i) => new()
    {
        ["_id"] = i,
        ["sequence"] = i,
        ["id"] = Guid.NewGuid().ToString(),
        ["timestamp"] = 1_795_000_000_000_000L + i,
        ["action"] = "tool_invoked",
        ["actorId"] = "triage-agent",
        ["actorType"] = "agent",
        ["conversationId"] = $"conv-{i % 16}",
        ["userId"] = "nurse.joy",
        ["agentName"] = "triage-agent",
        ["toolName"] = "lookup_patient",
        ["resourceType"] = "Patient",
        ["subjectId"] = "hmac:1:q83vEjRWeJCrze8SNFZ4kA",
        ["classification"] = "restricted",
        ["domains"] = new BsonArray { "hipaa" },
        ["outcome"] = "success",
        ["durationMicros"] = 120 + i % 50,
        ["details"] = Details,
        ["traceId"] = "4bf92f3577b34da6a3ce929d0e0e4736",
        ["spanId"] = "00f067aa0ba902b7",
        ["previousHash"] = "9f2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff001",
        ["hash"] = "0e1d2c3b4a5968778695a4b3c2d1e0f0112233445566778899aabbccddeeff00",
    };
}
