namespace AuditGen;

/// <summary>A filter over records; every set criterion must match. Results come in sequence order.</summary>
public sealed record AuditQuery
{
    /// <summary>Only records of this conversation.</summary>
    public string? ConversationId { get; init; }
    /// <summary>Only records for this user.</summary>
    public string? UserId { get; init; }
    /// <summary>Only records of this tool.</summary>
    public string? ToolName { get; init; }
    /// <summary>Only records with this action.</summary>
    public AuditAction? Action { get; init; }
    /// <summary>Only records at or after this time.</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Only records before this time.</summary>
    public DateTimeOffset? To { get; init; }
    /// <summary>At most this many records.</summary>
    public int? Limit { get; init; }
}
