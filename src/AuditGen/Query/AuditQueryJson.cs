using System.Text.Json;
using AuditGen.Canonical;

namespace AuditGen.Queries;

/// <summary>The canonical form of a filter, as recorded in <c>audit_log_accessed</c> records.</summary>
public static class AuditQueryJson
{
    /// <summary>
    /// <paramref name="query"/> as an RFC 8785 JSON object holding only the criteria that are set: the record's member
    /// names (<c>conversationId</c>, <c>resourceId</c>, …), enum wire names, <c>minimumClassification</c>, <c>from</c>/<c>to</c>
    /// as record timestamps (UTC, rounded up to the microsecond as the stores compare them) and <c>limit</c>. An empty filter is <c>{}</c>.
    /// </summary>
    public static string ToCanonicalJson(this AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            void Text(string name, string? value)
            {
                if (value is not null)
                    json.WriteString(name, value);
            }
            Text("conversationId", query.ConversationId);
            Text("userId", query.UserId);
            Text("toolName", query.ToolName);
            Text("action", query.Action?.ToWireName());
            Text("resourceType", query.ResourceType);
            Text("resourceId", query.ResourceId);
            Text("subjectId", query.SubjectId);
            Text("outcome", query.Outcome?.ToWireName());
            Text("minimumClassification", query.MinimumClassification?.ToWireName());
            Text("from", query.From is { } from ? Bound(from) : null);
            Text("to", query.To is { } to ? Bound(to) : null);
            if (query.Limit is { } limit)
                json.WriteNumber("limit", limit);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(buffer.ToArray()));
    }

    // The stores compare bounds rounded up to the microsecond (records carry microseconds): record the bound they used.
    private static string Bound(DateTimeOffset bound)
    {
        var ticks = bound.UtcTicks;
        var remainder = ticks % 10;
        return AuditRecordCodec.FormatTimestamp(new DateTimeOffset(remainder == 0 ? ticks : ticks + 10 - remainder, TimeSpan.Zero));
    }
}
