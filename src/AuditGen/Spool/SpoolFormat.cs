using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AuditGen.Spool;

/// <summary>One spooled failure as read back from a spool line.</summary>
/// <param name="SpoolId">The line's unique id; replay writes it into the appended record's details.</param>
/// <param name="FailedAt">When the append failed.</param>
/// <param name="FailedAtText">The <c>failedAt</c> text exactly as spooled, echoed into the record.</param>
/// <param name="Reason">Why the append failed (<c>type: message</c>).</param>
/// <param name="Entry">The entry, with <see cref="AuditEntry.Details"/> left <see langword="null"/>: see <paramref name="Details"/>.</param>
/// <param name="Details">The entry's details: a JSON object, a JSON string (details that were not a JSON object), or null.</param>
internal sealed record SpooledFailure(Guid SpoolId, DateTimeOffset FailedAt, string FailedAtText, string Reason, AuditEntry Entry, JsonElement Details);

/// <summary>
/// The spool's line format (JSON Lines, UTF-8): <c>{"spoolId","failedAt","reason","entry":{…}}</c>. The entry carries
/// every <see cref="AuditEntry"/> member under its camelCase name, always present (null when unset): enums by their
/// wire names (<see cref="AuditWireNames"/>), <c>domains</c> as an array, <c>details</c> embedded as a JSON object,
/// <c>error</c> as <c>{type,message}</c>, <c>cost</c> as a decimal string — as in the canonical record.
/// </summary>
internal static class SpoolFormat
{
    /// <summary>The <c>failedAt</c> format: UTC, seven fractional digits (the clock's full precision).</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    // The spool is a file, not HTML: keep characters as they are (escaping only what JSON requires), so that what the
    // bytes say is what the entry said.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 64 };

    /// <summary>Formats a <c>failedAt</c> value.</summary>
    public static string FormatTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Writes one spool line (JSON and the terminating <c>\n</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The entry has an enum value outside the defined set; it has no wire form.</exception>
    public static void WriteLine(IBufferWriter<byte> output, Guid spoolId, DateTimeOffset failedAt, Exception reason, AuditEntry entry)
    {
        using (var w = new Utf8JsonWriter(output, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("spoolId", spoolId.ToString("D"));
            w.WriteString("failedAt", FormatTimestamp(failedAt));
            w.WriteString("reason", Reason(reason));
            w.WritePropertyName("entry");
            WriteEntry(w, entry);
            w.WriteEndObject();
        }

        output.Write("\n"u8);
    }

    private static string Reason(Exception exception) => (exception.GetType().FullName ?? exception.GetType().Name) + ": " + exception.Message;

    private static void WriteEntry(Utf8JsonWriter w, AuditEntry e)
    {
        w.WriteStartObject();
        w.WriteString("action", e.Action.ToWireName());
        w.WriteString("actorId", e.ActorId);
        w.WriteString("actorType", e.ActorType.ToWireName());
        w.WriteString("agentName", e.AgentName);
        w.WriteString("classification", e.Classification.ToWireName());
        w.WriteString("conversationId", e.ConversationId);
        w.WriteString("cost", e.Cost?.ToString(CultureInfo.InvariantCulture));
        w.WritePropertyName("details");
        WriteDetails(w, e.Details);
        w.WriteStartArray("domains");
        foreach (var name in e.Domains.ToWireNames())
            w.WriteStringValue(name);
        w.WriteEndArray();
        WriteNumber(w, "durationMicros", e.DurationMicros);
        if (e.Error is null)
        {
            w.WriteNull("error");
        }
        else
        {
            w.WriteStartObject("error");
            w.WriteString("message", e.Error.Message);
            w.WriteString("type", e.Error.Type);
            w.WriteEndObject();
        }

        w.WriteString("model", e.Model);
        w.WriteString("outcome", e.Outcome.ToWireName());
        w.WriteString("resourceId", e.ResourceId);
        w.WriteString("resourceType", e.ResourceType);
        w.WriteString("sealed", e.Sealed);
        w.WriteString("spanId", e.SpanId);
        w.WriteString("subjectId", e.SubjectId);
        WriteNumber(w, "tokensIn", e.TokensIn);
        WriteNumber(w, "tokensOut", e.TokensOut);
        w.WriteString("toolName", e.ToolName);
        w.WriteString("traceId", e.TraceId);
        w.WriteString("userId", e.UserId);
        w.WriteEndObject();
    }

    /// <summary>Details as an embedded object; details that are not a JSON object (possibly why the append failed) are kept as a string.</summary>
    private static void WriteDetails(Utf8JsonWriter w, string? details)
    {
        if (details is null)
        {
            w.WriteNullValue();
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(details, ReadOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                document.RootElement.WriteTo(w);
                return;
            }
        }
        catch (JsonException)
        {
            // Not JSON: kept verbatim below.
        }

        w.WriteStringValue(details);
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
            w.WriteNumber(name, v);
        else
            w.WriteNull(name);
    }

    /// <summary>Reads one spool line.</summary>
    /// <exception cref="FormatException">The line is not a spooled failure (the message says what is wrong).</exception>
    public static SpooledFailure ReadLine(ReadOnlyMemory<byte> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, ReadOptions);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException("not a JSON object");
            var spoolIdText = RequiredString(root, "spoolId");
            if (!Guid.TryParseExact(spoolIdText, "D", out var spoolId))
                throw new FormatException($"'spoolId' is not a GUID: '{spoolIdText}'");
            var failedAtText = RequiredString(root, "failedAt");
            if (!DateTimeOffset.TryParse(failedAtText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var failedAt))
                throw new FormatException($"'failedAt' is not a timestamp: '{failedAtText}'");
            var reason = RequiredString(root, "reason");
            if (!root.TryGetProperty("entry", out var entry) || entry.ValueKind != JsonValueKind.Object)
                throw new FormatException("'entry' is missing or not an object");
            var details = entry.TryGetProperty("details", out var d) ? d.Clone() : default;
            if (details.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.Object or JsonValueKind.String))
                throw new FormatException("'entry.details' must be an object, a string or null");
            return new SpooledFailure(spoolId, failedAt, failedAtText, reason, ReadEntry(entry), details);
        }
    }

    private static AuditEntry ReadEntry(JsonElement e)
    {
        var actionName = RequiredString(e, "entry.action", e.TryGetProperty("action", out var a) ? a : default);
        if (!AuditWireNames.TryParseAction(actionName, out var action))
            throw new FormatException($"'entry.action' is not an audit action: '{actionName}'");

        var actorType = ActorType.Agent;
        if (OptionalString(e, "actorType") is { } actorTypeName && !AuditWireNames.TryParseActorType(actorTypeName, out actorType))
            throw new FormatException($"'entry.actorType' is not an actor type: '{actorTypeName}'");
        var classification = DataClass.Public;
        if (OptionalString(e, "classification") is { } classificationName && !AuditWireNames.TryParseDataClass(classificationName, out classification))
            throw new FormatException($"'entry.classification' is not a data class: '{classificationName}'");
        var outcome = AuditOutcome.Success;
        if (OptionalString(e, "outcome") is { } outcomeName && !AuditWireNames.TryParseOutcome(outcomeName, out outcome))
            throw new FormatException($"'entry.outcome' is not an outcome: '{outcomeName}'");

        var domains = ComplianceDomain.None;
        if (e.TryGetProperty("domains", out var domainArray) && domainArray.ValueKind != JsonValueKind.Null)
        {
            if (domainArray.ValueKind != JsonValueKind.Array)
                throw new FormatException("'entry.domains' is not an array");
            foreach (var item in domainArray.EnumerateArray())
            {
                var name = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                if (!AuditWireNames.TryParseDomain(name, out var domain))
                    throw new FormatException($"'entry.domains' holds an unknown domain: {item.GetRawText()}");
                domains |= domain;
            }
        }

        decimal? cost = null;
        if (OptionalString(e, "cost") is { } costText)
        {
            if (!decimal.TryParse(costText, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed))
                throw new FormatException($"'entry.cost' is not a decimal: '{costText}'");
            cost = parsed;
        }

        AuditError? error = null;
        if (e.TryGetProperty("error", out var errorElement) && errorElement.ValueKind != JsonValueKind.Null)
        {
            if (errorElement.ValueKind != JsonValueKind.Object)
                throw new FormatException("'entry.error' is not an object");
            error = new AuditError(
                RequiredString(errorElement, "entry.error.type", errorElement.TryGetProperty("type", out var t) ? t : default),
                RequiredString(errorElement, "entry.error.message", errorElement.TryGetProperty("message", out var m) ? m : default));
        }

        return new AuditEntry
        {
            Action = action,
            ActorId = OptionalString(e, "actorId"),
            ActorType = actorType,
            AgentName = OptionalString(e, "agentName"),
            Classification = classification,
            ConversationId = OptionalString(e, "conversationId"),
            Cost = cost,
            Domains = domains,
            DurationMicros = OptionalInteger(e, "durationMicros"),
            Error = error,
            Model = OptionalString(e, "model"),
            Outcome = outcome,
            ResourceId = OptionalString(e, "resourceId"),
            ResourceType = OptionalString(e, "resourceType"),
            Sealed = OptionalString(e, "sealed"),
            SpanId = OptionalString(e, "spanId"),
            SubjectId = OptionalString(e, "subjectId"),
            TokensIn = OptionalInteger(e, "tokensIn"),
            TokensOut = OptionalInteger(e, "tokensOut"),
            ToolName = OptionalString(e, "toolName"),
            TraceId = OptionalString(e, "traceId"),
            UserId = OptionalString(e, "userId"),
        };
    }

    private static string RequiredString(JsonElement parent, string name) =>
        RequiredString(parent, name, parent.TryGetProperty(name, out var value) ? value : default);

    private static string RequiredString(JsonElement parent, string label, JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"'{label}' is missing or not a string");

    private static string? OptionalString(JsonElement entry, string name)
    {
        if (!entry.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"'entry.{name}' is not a string");
    }

    private static long? OptionalInteger(JsonElement entry, string name)
    {
        if (!entry.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw new FormatException($"'entry.{name}' is not an integer");
    }
}
