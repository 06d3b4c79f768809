using System.Text;
using System.Text.Json;
using AuditGen.Canonical;

namespace AuditGen.Retention;

/// <summary>
/// The <c>legal_hold_placed</c> and <c>legal_hold_released</c> records. Placed:
/// <c>{"reason": "…", "scope": {"kind": "conversation|subject|user", "value": "…"} | {"kind": "time_range", "from": ts|null, "to": ts|null}}</c>,
/// actor = who placed it. Released: <c>{"holdId": "&lt;id of the placed record&gt;", "reason": "…"}</c>, actor = who released it.
/// </summary>
internal static class LegalHoldRecords
{
    public const string ResourceType = "legal_hold";

    public static AuditEntry Placed(LegalHoldScope scope, string reason, string placedBy) => new()
    {
        Action = AuditAction.LegalHoldPlaced,
        ActorId = placedBy,
        ActorType = ActorType.Admin,
        ResourceType = ResourceType,
        Classification = DataClass.Internal,
        Outcome = AuditOutcome.Success,
        Details = Json(json =>
        {
            json.WriteString("reason", reason);
            json.WriteStartObject("scope");
            json.WriteString("kind", LegalHoldScope.WireName(scope.Kind));
            if (scope.Kind == LegalHoldScopeKind.TimeRange)
            {
                WriteTime(json, "from", scope.From);
                WriteTime(json, "to", scope.To);
            }
            else
            {
                json.WriteString("value", scope.Value);
            }
            json.WriteEndObject();
        }),
    };

    public static AuditEntry Released(Guid holdId, string reason, string releasedBy) => new()
    {
        Action = AuditAction.LegalHoldReleased,
        ActorId = releasedBy,
        ActorType = ActorType.Admin,
        ResourceType = ResourceType,
        ResourceId = AuditRecordCodec.FormatId(holdId),
        Classification = DataClass.Internal,
        Outcome = AuditOutcome.Success,
        Details = Json(json =>
        {
            json.WriteString("holdId", AuditRecordCodec.FormatId(holdId));
            json.WriteString("reason", reason);
        }),
    };

    /// <summary>The hold a <c>legal_hold_placed</c> record placed.</summary>
    /// <exception cref="LegalHoldException">The record's details are not a hold.</exception>
    public static LegalHold ReadPlaced(AuditRecord record)
    {
        try
        {
            using var document = JsonDocument.Parse(record.Details ?? "null");
            var root = document.RootElement;
            var reason = RequiredString(root, "reason");
            var scopeElement = root.TryGetProperty("scope", out var s) && s.ValueKind == JsonValueKind.Object
                ? s : throw new FormatException("it has no \"scope\" object");
            var kindName = RequiredString(scopeElement, "kind");
            if (!LegalHoldScope.TryParseWireName(kindName, out var kind))
                throw new FormatException($"its scope kind '{kindName}' is unknown");
            var scope = kind switch
            {
                LegalHoldScopeKind.Conversation => LegalHoldScope.Conversation(RequiredString(scopeElement, "value")),
                LegalHoldScopeKind.Subject => LegalHoldScope.Subject(RequiredString(scopeElement, "value")),
                LegalHoldScopeKind.User => LegalHoldScope.User(RequiredString(scopeElement, "value")),
                _ => LegalHoldScope.TimeRange(ReadTime(scopeElement, "from"), ReadTime(scopeElement, "to")),
            };
            return new LegalHold(record.Id, scope, reason, record.ActorId ?? "", record.Timestamp, record.Sequence);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException)
        {
            throw new LegalHoldException($"The legal_hold_placed record at sequence {record.Sequence} cannot be read as a legal hold: {e.Message}.", e);
        }
    }

    /// <summary>The hold id and release a <c>legal_hold_released</c> record carries.</summary>
    /// <exception cref="LegalHoldException">The record's details are not a release.</exception>
    public static (Guid HoldId, LegalHoldRelease Release) ReadReleased(AuditRecord record)
    {
        try
        {
            using var document = JsonDocument.Parse(record.Details ?? "null");
            var root = document.RootElement;
            var idText = RequiredString(root, "holdId");
            if (!Guid.TryParseExact(idText, "D", out var holdId))
                throw new FormatException($"its holdId '{idText}' is not a record id");
            return (holdId, new LegalHoldRelease(record.ActorId ?? "", RequiredString(root, "reason"), record.Timestamp, record.Sequence));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new LegalHoldException($"The legal_hold_released record at sequence {record.Sequence} cannot be read as a release: {e.Message}.", e);
        }
    }

    private static string RequiredString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"it has no string \"{name}\"");

    private static DateTimeOffset? ReadTime(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.String && AuditRecordCodec.TryParseTimestamp(value.GetString(), out var time))
            return time;
        throw new FormatException($"its scope's \"{name}\" is not a timestamp");
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
            json.WriteString(name, AuditRecordCodec.FormatTimestamp(time));
        else
            json.WriteNull(name);
    }

    internal static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
