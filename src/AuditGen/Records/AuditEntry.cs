namespace AuditGen;

/// <summary>
/// What a caller asks to be recorded. The trail's single writer turns it into an <see cref="AuditRecord"/> by
/// assigning <c>Sequence</c>, <c>Id</c>, <c>Timestamp</c> and the chain hashes. Values must already be redacted:
/// the trail stores them as given.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>What happened.</summary>
    public required AuditAction Action { get; init; }
    /// <summary>Who did it (user id, agent id, service name).</summary>
    public string? ActorId { get; init; }
    /// <summary>What kind of actor did it.</summary>
    public ActorType ActorType { get; init; } = ActorType.Agent;
    /// <summary>The conversation (agent session) it belongs to.</summary>
    public string? ConversationId { get; init; }
    /// <summary>The user on whose behalf the agent acted.</summary>
    public string? UserId { get; init; }
    /// <summary>The data subject (e.g. patient), already pseudonymised where classified.</summary>
    public string? SubjectId { get; init; }
    /// <summary>The agent's name.</summary>
    public string? AgentName { get; init; }
    /// <summary>The tool's name, for tool actions.</summary>
    public string? ToolName { get; init; }
    /// <summary>The kind of resource touched.</summary>
    public string? ResourceType { get; init; }
    /// <summary>The resource touched, already redacted where classified.</summary>
    public string? ResourceId { get; init; }
    /// <summary>The classification of the data this record is about.</summary>
    public DataClass Classification { get; init; }
    /// <summary>The compliance regimes this record falls under.</summary>
    public ComplianceDomain Domains { get; init; }
    /// <summary>How it ended.</summary>
    public AuditOutcome Outcome { get; init; }
    /// <summary>How long it took, in microseconds, where measured.</summary>
    public long? DurationMicros { get; init; }
    /// <summary>A redacted JSON object with action-specific details (arguments, result, call id), or <see langword="null"/>.</summary>
    public string? Details { get; init; }
    /// <summary>The error, for failures.</summary>
    public AuditError? Error { get; init; }
    /// <summary>The model that produced the action, where known.</summary>
    public string? Model { get; init; }
    /// <summary>Input tokens, where known.</summary>
    public long? TokensIn { get; init; }
    /// <summary>Output tokens, where known.</summary>
    public long? TokensOut { get; init; }
    /// <summary>Cost in the configured currency, where known.</summary>
    public decimal? Cost { get; init; }
    /// <summary>W3C trace id (32 hex) of the surrounding activity.</summary>
    public string? TraceId { get; init; }
    /// <summary>W3C span id (16 hex) of the surrounding activity.</summary>
    public string? SpanId { get; init; }
    /// <summary>Optional sealed (encrypted) full content, base64.</summary>
    public string? Sealed { get; init; }

    /// <summary>
    /// <see cref="RedactionStrategy.Seal"/>ed values travelling to the trail's vault with this entry: never part of the
    /// record, never serialized. The writer encrypts them and sets <see cref="Sealed"/>.
    /// </summary>
    internal Erasure.SealedPayloads? SealedPayloads { get; init; }
}
