namespace AuditGen;

/// <summary>
/// One immutable, hash-chained audit record. Every property is covered by <see cref="Hash"/> (see DESIGN.md §3–4):
/// <c>Hash = SHA-256("auditgen:v1" ‖ PreviousHash ‖ SHA-256(0x00 ‖ canonical))</c> where <c>canonical</c> is the
/// RFC 8785 encoding of the record without <see cref="Hash"/>.
/// </summary>
public sealed record AuditRecord
{
    /// <summary>0-based position in the chain, assigned by the writer.</summary>
    public required long Sequence { get; init; }
    /// <summary>UUIDv7 of the record.</summary>
    public required Guid Id { get; init; }
    /// <summary>UTC time the writer sequenced the record, truncated to microseconds.</summary>
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>What happened.</summary>
    public required AuditAction Action { get; init; }
    /// <summary>Who did it.</summary>
    public string? ActorId { get; init; }
    /// <summary>What kind of actor did it.</summary>
    public ActorType ActorType { get; init; }
    /// <summary>The conversation it belongs to.</summary>
    public string? ConversationId { get; init; }
    /// <summary>The user on whose behalf the agent acted.</summary>
    public string? UserId { get; init; }
    /// <summary>The data subject (redacted where classified).</summary>
    public string? SubjectId { get; init; }
    /// <summary>The agent's name.</summary>
    public string? AgentName { get; init; }
    /// <summary>The tool's name.</summary>
    public string? ToolName { get; init; }
    /// <summary>The kind of resource touched.</summary>
    public string? ResourceType { get; init; }
    /// <summary>The resource touched (redacted where classified).</summary>
    public string? ResourceId { get; init; }
    /// <summary>The classification of the data the record is about.</summary>
    public DataClass Classification { get; init; }
    /// <summary>The compliance regimes the record falls under.</summary>
    public ComplianceDomain Domains { get; init; }
    /// <summary>How it ended.</summary>
    public AuditOutcome Outcome { get; init; }
    /// <summary>Duration in microseconds, where measured.</summary>
    public long? DurationMicros { get; init; }
    /// <summary>Redacted JSON object with action-specific details, in canonical (RFC 8785) form.</summary>
    public string? Details { get; init; }
    /// <summary>The error, for failures.</summary>
    public AuditError? Error { get; init; }
    /// <summary>The model, where known.</summary>
    public string? Model { get; init; }
    /// <summary>Input tokens, where known.</summary>
    public long? TokensIn { get; init; }
    /// <summary>Output tokens, where known.</summary>
    public long? TokensOut { get; init; }
    /// <summary>Cost, where known.</summary>
    public decimal? Cost { get; init; }
    /// <summary>W3C trace id.</summary>
    public string? TraceId { get; init; }
    /// <summary>W3C span id.</summary>
    public string? SpanId { get; init; }
    /// <summary>Optional sealed content, base64.</summary>
    public string? Sealed { get; init; }
    /// <summary>Lower-case hex SHA-256 of the previous record's <see cref="Hash"/>-chain value; 64 zeros for the first record.</summary>
    public required string PreviousHash { get; init; }
    /// <summary>Lower-case hex chain hash of this record.</summary>
    public required string Hash { get; init; }
}
