namespace AuditGen;

/// <summary>A filter over records; every set criterion must match. Results come in sequence order.</summary>
/// <remarks>
/// Identifiers match exactly (ordinal, case-sensitive). Filter by the values as stored: a classified subject or
/// resource id is stored as its pseudonym (e.g. <c>hmac:1:…</c>), so query with the pseudonym.
/// </remarks>
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
    /// <summary>Only records about this kind of resource (e.g. <c>patient</c>).</summary>
    public string? ResourceType { get; init; }
    /// <summary>Only records about this resource (as stored: a pseudonym where classified).</summary>
    public string? ResourceId { get; init; }
    /// <summary>Only records about this data subject (as stored: a pseudonym where classified).</summary>
    public string? SubjectId { get; init; }
    /// <summary>Only records with this outcome.</summary>
    public AuditOutcome? Outcome { get; init; }
    /// <summary>Only records classified at least this sensitive (e.g. <see cref="DataClass.Confidential"/> also matches restricted ones).</summary>
    public DataClass? MinimumClassification { get; init; }
    /// <summary>Only records at or after this time.</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Only records before this time.</summary>
    public DateTimeOffset? To { get; init; }
    /// <summary>At most this many records.</summary>
    public int? Limit { get; init; }

    /// <summary>Whether <paramref name="record"/> satisfies every criterion except <see cref="Limit"/>.</summary>
    public bool Matches(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (ConversationId is null || ConversationId == record.ConversationId)
            && (UserId is null || UserId == record.UserId)
            && (ToolName is null || ToolName == record.ToolName)
            && (Action is null || Action == record.Action)
            && (ResourceType is null || ResourceType == record.ResourceType)
            && (ResourceId is null || ResourceId == record.ResourceId)
            && (SubjectId is null || SubjectId == record.SubjectId)
            && (Outcome is null || Outcome == record.Outcome)
            && (MinimumClassification is null || record.Classification >= MinimumClassification)
            && (From is null || record.Timestamp >= From)
            && (To is null || record.Timestamp < To);
    }

    /// <summary>The classifications at or above <see cref="MinimumClassification"/>, most sensitive last (empty when unset).</summary>
    internal IReadOnlyList<DataClass> ClassificationsAtLeast() => MinimumClassification is { } minimum
        ? Enum.GetValues<DataClass>().Where(c => c >= minimum).ToArray()
        : [];
}
