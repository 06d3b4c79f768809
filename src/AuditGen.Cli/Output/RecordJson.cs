using System.Globalization;
using System.Text.Json;

namespace AuditGen.Cli.Output;

/// <summary>
/// Writes an <see cref="AuditRecord"/> as JSON with the record's wire names: camelCase fields in DESIGN.md §3 order,
/// snake_case enum values (<see cref="AuditWireNames"/>), domains as an array, the timestamp as UTC ISO 8601 with
/// microseconds, <c>details</c> as the JSON object it holds. Every field is written (absent ones as <c>null</c>).
/// </summary>
internal static class RecordJson
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static void Write(Utf8JsonWriter json, AuditRecord record)
    {
        json.WriteStartObject();
        json.WriteNumber("sequence", record.Sequence);
        json.WriteString("id", record.Id.ToString("D"));
        json.WriteString("timestamp", FormatTimestamp(record.Timestamp));
        json.WriteString("action", record.Action.ToWireName());
        json.WriteString("actorId", record.ActorId);
        json.WriteString("actorType", record.ActorType.ToWireName());
        json.WriteString("conversationId", record.ConversationId);
        json.WriteString("userId", record.UserId);
        json.WriteString("subjectId", record.SubjectId);
        json.WriteString("agentName", record.AgentName);
        json.WriteString("toolName", record.ToolName);
        json.WriteString("resourceType", record.ResourceType);
        json.WriteString("resourceId", record.ResourceId);
        json.WriteString("classification", record.Classification.ToWireName());
        json.WriteStartArray("domains");
        foreach (var domain in record.Domains.ToWireNames())
            json.WriteStringValue(domain);
        json.WriteEndArray();
        json.WriteString("outcome", record.Outcome.ToWireName());
        WriteNumberOrNull(json, "durationMicros", record.DurationMicros);
        WriteDetails(json, record.Details);
        WriteError(json, record.Error);
        json.WriteString("model", record.Model);
        WriteNumberOrNull(json, "tokensIn", record.TokensIn);
        WriteNumberOrNull(json, "tokensOut", record.TokensOut);
        if (record.Cost is { } cost) json.WriteNumber("cost", cost);
        else json.WriteNull("cost");
        json.WriteString("traceId", record.TraceId);
        json.WriteString("spanId", record.SpanId);
        json.WriteString("sealed", record.Sealed);
        json.WriteString("previousHash", record.PreviousHash);
        json.WriteString("hash", record.Hash);
        json.WriteEndObject();
    }

    /// <summary>UTC, microsecond precision, invariant culture: the form records are stamped with.</summary>
    public static string FormatTimestamp(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number) json.WriteNumber(name, number);
        else json.WriteNull(name);
    }

    private static void WriteDetails(Utf8JsonWriter json, string? details)
    {
        json.WritePropertyName("details");
        if (details is null)
        {
            json.WriteNullValue();
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(details);
            document.RootElement.WriteTo(json);
        }
        catch (JsonException)
        {
            // Not JSON (a store that kept free text): keep it, as a string, rather than drop it.
            json.WriteStringValue(details);
        }
    }

    private static void WriteError(Utf8JsonWriter json, AuditError? error)
    {
        json.WritePropertyName("error");
        if (error is null)
        {
            json.WriteNullValue();
            return;
        }

        json.WriteStartObject();
        json.WriteString("type", error.Type);
        json.WriteString("message", error.Message);
        json.WriteEndObject();
    }
}
