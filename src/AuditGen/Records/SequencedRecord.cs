namespace AuditGen;

/// <summary>Turns a caller's <see cref="AuditEntry"/> into an <see cref="AuditRecord"/> at its place in a chain: the one mapping every writer uses.</summary>
internal static class SequencedRecord
{
    /// <summary>The record for <paramref name="entry"/> with the writer's facts; <c>Hash</c> is left empty for the hasher to fill.</summary>
    public static AuditRecord From(AuditEntry entry, string? details, long sequence, Guid id, DateTimeOffset timestamp, string previousHash) => new()
    {
        Sequence = sequence,
        Id = id,
        Timestamp = timestamp,
        Action = entry.Action,
        ActorId = entry.ActorId,
        ActorType = entry.ActorType,
        ConversationId = entry.ConversationId,
        UserId = entry.UserId,
        SubjectId = entry.SubjectId,
        AgentName = entry.AgentName,
        ToolName = entry.ToolName,
        ResourceType = entry.ResourceType,
        ResourceId = entry.ResourceId,
        Classification = entry.Classification,
        Domains = entry.Domains,
        Outcome = entry.Outcome,
        DurationMicros = entry.DurationMicros,
        Details = details,
        Error = entry.Error,
        Model = entry.Model,
        TokensIn = entry.TokensIn,
        TokensOut = entry.TokensOut,
        Cost = entry.Cost,
        TraceId = entry.TraceId,
        SpanId = entry.SpanId,
        Sealed = entry.Sealed,
        PreviousHash = previousHash,
        Hash = string.Empty,
    };
}
