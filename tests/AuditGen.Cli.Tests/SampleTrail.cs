namespace AuditGen.Cli.Tests;

/// <summary>Writes a small trail with the real store: two conversations, two users, two tools, one failure.</summary>
internal static class SampleTrail
{
    public const int RecordCount = 6;

    public static async Task CreateAsync(string path)
    {
        await using var trail = AuditTrail.OpenLiteDb(path, new AuditTrailOptions());
        await AppendAsync(trail);
    }

    public static async Task AppendAsync(IAuditTrail trail)
    {
        foreach (var entry in Entries())
            await trail.AppendAsync(entry);
    }

    private static IEnumerable<AuditEntry> Entries()
    {
        yield return Tool(AuditAction.ToolInvoked, "conv-nurse", "nurse.joy", "lookup_patient", AuditOutcome.Success);
        yield return Tool(AuditAction.ToolCompleted, "conv-nurse", "nurse.joy", "lookup_patient", AuditOutcome.Success, 850);
        yield return Tool(AuditAction.ToolInvoked, "conv-doctor", "dr.grey", "get_lab_results", AuditOutcome.Success);
        yield return Tool(AuditAction.ToolCompleted, "conv-doctor", "dr.grey", "get_lab_results", AuditOutcome.Success, 1_200);
        yield return Tool(AuditAction.ToolInvoked, "conv-doctor", "dr.grey", "lookup_patient", AuditOutcome.Success);
        yield return Tool(AuditAction.ToolFailed, "conv-doctor", "dr.grey", "lookup_patient", AuditOutcome.Failure, 300,
            new AuditError("System.Collections.Generic.KeyNotFoundException", "No such patient."));
    }

    private static AuditEntry Tool(AuditAction action, string conversation, string user, string tool, AuditOutcome outcome,
        long? durationMicros = null, AuditError? error = null) => new()
    {
        Action = action,
        ActorId = "clinical-assistant",
        ActorType = ActorType.Agent,
        ConversationId = conversation,
        UserId = user,
        AgentName = "clinical-assistant",
        ToolName = tool,
        ResourceType = "Patient",
        Classification = DataClass.Restricted,
        Domains = ComplianceDomain.Hipaa,
        Outcome = outcome,
        DurationMicros = durationMicros,
        Details = """{"callId":"call-1"}""",
        Error = error,
    };
}
