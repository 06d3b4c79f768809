using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AuditGen.Canonical;

/// <summary>
/// The one encoding of an <see cref="AuditRecord"/>: RFC 8785 JSON with camelCase members, every member always present
/// (null written explicitly), keys in RFC 8785 (ordinal UTF-16) order. The canonical form (hashed) leaves out
/// <c>hash</c>; the full form (stored in the journal) includes it. Every other field is covered by the hash (DESIGN §4).
/// </summary>
public static class AuditRecordCodec
{
    /// <summary>The timestamp format on the wire: UTC, always six fractional digits.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private const int HashHexLength = 64;

    // Members in RFC 8785 order. The index of each is its bit in the "seen" mask of the reader.
    private static readonly string[] Members =
    [
        "action", "actorId", "actorType", "agentName", "classification", "conversationId", "cost", "details",
        "domains", "durationMicros", "error", "hash", "id", "model", "outcome", "previousHash", "resourceId",
        "resourceType", "sealed", "sequence", "spanId", "subjectId", "timestamp", "tokensIn", "tokensOut", "toolName",
        "traceId", "userId",
    ];

    private const ulong AllMembers = (1UL << 28) - 1;

    /// <summary>The canonical bytes of <paramref name="record"/>: every field except <c>hash</c>.</summary>
    public static byte[] GetCanonicalBytes(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(record, buffer, includeHash: false, detailsAreCanonical: false);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The full form of <paramref name="record"/> including <c>hash</c>, as stored in the journal.</summary>
    public static byte[] Serialize(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(600);
        Write(record, buffer, includeHash: true, detailsAreCanonical: false);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the canonical (<paramref name="includeHash"/> false) or full form. When <paramref name="detailsAreCanonical"/>
    /// is set, <see cref="AuditRecord.Details"/> is embedded as is (the writer canonicalized it already); otherwise it is
    /// canonicalized here.
    /// </summary>
    /// <exception cref="ArgumentException">A field cannot be encoded (undefined enum value, timestamp finer than a microsecond, details not a JSON object).</exception>
    internal static void Write(AuditRecord record, IBufferWriter<byte> output, bool includeHash, bool detailsAreCanonical)
    {
        ArgumentNullException.ThrowIfNull(record);
        var w = new CanonicalJsonWriter(output);
        w.StartObject();
        w.PropertyName("action"); w.String(record.Action.ToWireName());
        w.PropertyName("actorId"); w.String(record.ActorId);
        w.PropertyName("actorType"); w.String(record.ActorType.ToWireName());
        w.PropertyName("agentName"); w.String(record.AgentName);
        w.PropertyName("classification"); w.String(record.Classification.ToWireName());
        w.PropertyName("conversationId"); w.String(record.ConversationId);
        w.PropertyName("cost"); w.String(record.Cost?.ToString(CultureInfo.InvariantCulture));
        w.PropertyName("details");
        if (record.Details is null)
            w.Null();
        else
            w.RawCanonical(detailsAreCanonical ? Encoding.UTF8.GetBytes(record.Details) : CanonicalizeDetails(record.Details));
        w.PropertyName("domains");
        w.StartArray();
        foreach (var name in record.Domains.ToWireNames())
            w.String(name);
        w.EndArray();
        w.PropertyName("durationMicros"); WriteInteger(w, record.DurationMicros);
        w.PropertyName("error");
        if (record.Error is null)
        {
            w.Null();
        }
        else
        {
            w.StartObject();
            w.PropertyName("message"); w.String(record.Error.Message);
            w.PropertyName("type"); w.String(record.Error.Type);
            w.EndObject();
        }
        if (includeHash)
        {
            w.PropertyName("hash"); w.String(record.Hash);
        }
        w.PropertyName("id"); w.String(FormatId(record.Id));
        w.PropertyName("model"); w.String(record.Model);
        w.PropertyName("outcome"); w.String(record.Outcome.ToWireName());
        w.PropertyName("previousHash"); w.String(record.PreviousHash);
        w.PropertyName("resourceId"); w.String(record.ResourceId);
        w.PropertyName("resourceType"); w.String(record.ResourceType);
        w.PropertyName("sealed"); w.String(record.Sealed);
        w.PropertyName("sequence"); w.Integer(record.Sequence);
        w.PropertyName("spanId"); w.String(record.SpanId);
        w.PropertyName("subjectId"); w.String(record.SubjectId);
        w.PropertyName("timestamp"); w.String(FormatTimestamp(record.Timestamp));
        w.PropertyName("tokensIn"); WriteInteger(w, record.TokensIn);
        w.PropertyName("tokensOut"); WriteInteger(w, record.TokensOut);
        w.PropertyName("toolName"); w.String(record.ToolName);
        w.PropertyName("traceId"); w.String(record.TraceId);
        w.PropertyName("userId"); w.String(record.UserId);
        w.EndObject();
    }

    /// <summary>
    /// Writes the full form given the canonical form and the hash, without encoding the record again: the canonical
    /// form with <c>"hash":"…",</c> inserted before the top-level <c>"id"</c> member. That member is the last
    /// occurrence of the bytes <c>,"id":"</c>: a nested <c>id</c> can only occur earlier (inside <c>details</c> or
    /// <c>error</c>), and string contents cannot contain an unescaped quote.
    /// </summary>
    internal static void WriteFullFromCanonical(ReadOnlySpan<byte> canonical, ReadOnlySpan<byte> hashHexUtf8, IBufferWriter<byte> output)
    {
        var at = canonical.LastIndexOf(",\"id\":\""u8);
        if (at < 0 || hashHexUtf8.Length != HashHexLength)
            throw new ArgumentException("Not the canonical form of an audit record, or not a 64-digit hash.", nameof(canonical));
        ReadOnlySpan<byte> name = ",\"hash\":\""u8;
        var length = canonical.Length + name.Length + HashHexLength + 1;
        var span = output.GetSpan(length);
        canonical[..at].CopyTo(span);
        name.CopyTo(span[at..]);
        hashHexUtf8.CopyTo(span[(at + name.Length)..]);
        span[at + name.Length + HashHexLength] = (byte)'"';
        canonical[at..].CopyTo(span[(at + name.Length + HashHexLength + 1)..]);
        output.Advance(length);
    }

    /// <summary>The canonical UTF-8 form of a details JSON object.</summary>
    /// <exception cref="ArgumentException">The text is not a JSON object.</exception>
    internal static byte[] CanonicalizeDetails(string details)
    {
        byte[] canonical;
        try
        {
            canonical = JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes(details));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new ArgumentException($"Details must be a JSON object: {e.Message}", nameof(details), e);
        }
        if (canonical.Length == 0 || canonical[0] != (byte)'{')
            throw new ArgumentException("Details must be a JSON object, not another JSON value.", nameof(details));
        return canonical;
    }

    /// <summary>The wire form of a record id: lower-case, hyphenated.</summary>
    internal static string FormatId(Guid id) => id.ToString("D");

    /// <summary>The wire form of a timestamp: UTC, six fractional digits.</summary>
    /// <exception cref="ArgumentException">The timestamp has sub-microsecond precision, which the hash would not cover.</exception>
    public static string FormatTimestamp(DateTimeOffset timestamp)
    {
        if (timestamp.UtcTicks % 10 != 0)
            throw new ArgumentException($"Timestamp {timestamp:O} is finer than a microsecond; records carry microseconds only.", nameof(timestamp));
        return timestamp.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);
    }

    /// <summary>Parses a wire timestamp exactly (<see cref="TimestampFormat"/>).</summary>
    internal static bool TryParseTimestamp(string? text, out DateTimeOffset timestamp)
    {
        if (text is not null && text.Length == 27
            && DateTime.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc))
        {
            timestamp = new DateTimeOffset(utc, TimeSpan.Zero);
            return true;
        }
        timestamp = default;
        return false;
    }

    /// <summary>Reads the full form (with <c>hash</c>) strictly.</summary>
    /// <exception cref="FormatException">Invalid JSON, a missing, repeated or unknown member, an unknown enum wire name or a badly formatted value.</exception>
    public static AuditRecord Deserialize(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return Read(utf8Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Audit record is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException($"Audit record has a value of the wrong JSON type: {e.Message}", e);
        }
    }

    private static AuditRecord Read(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new FormatException("Audit record must be a JSON object.");

        ulong seen = 0;
        AuditAction action = default;
        ActorType actorType = default;
        DataClass classification = default;
        AuditOutcome outcome = default;
        ComplianceDomain domains = ComplianceDomain.None;
        string? actorId = null, agentName = null, conversationId = null, details = null, hash = null, model = null,
            previousHash = null, resourceId = null, resourceType = null, sealedContent = null, spanId = null,
            subjectId = null, toolName = null, traceId = null, userId = null;
        decimal? cost = null;
        long? durationMicros = null, tokensIn = null, tokensOut = null;
        long sequence = 0;
        AuditError? error = null;
        Guid id = default;
        DateTimeOffset timestamp = default;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            var index = Array.IndexOf(Members, name);
            if (index < 0)
                throw new FormatException($"Audit record has an unknown member '{name}'.");
            if ((seen & (1UL << index)) != 0)
                throw new FormatException($"Audit record has member '{name}' more than once.");
            seen |= 1UL << index;
            reader.Read();
            switch (name)
            {
                case "action":
                    var actionName = RequiredString(ref reader, name);
                    if (!AuditWireNames.TryParseAction(actionName, out action))
                        throw new FormatException($"Unknown action '{actionName}'.");
                    break;
                case "actorId": actorId = OptionalString(ref reader, name); break;
                case "actorType":
                    var actorName = RequiredString(ref reader, name);
                    if (!AuditWireNames.TryParseActorType(actorName, out actorType))
                        throw new FormatException($"Unknown actor type '{actorName}'.");
                    break;
                case "agentName": agentName = OptionalString(ref reader, name); break;
                case "classification":
                    var className = RequiredString(ref reader, name);
                    if (!AuditWireNames.TryParseDataClass(className, out classification))
                        throw new FormatException($"Unknown classification '{className}'.");
                    break;
                case "conversationId": conversationId = OptionalString(ref reader, name); break;
                case "cost":
                    var costText = OptionalString(ref reader, name);
                    if (costText is not null)
                    {
                        if (!decimal.TryParse(costText, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsedCost)
                            || parsedCost.ToString(CultureInfo.InvariantCulture) != costText)
                            throw new FormatException($"Cost '{costText}' is not an invariant decimal.");
                        cost = parsedCost;
                    }
                    break;
                case "details":
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        details = Encoding.UTF8.GetString(utf8Json[start..((int)reader.TokenStartIndex + 1)]);
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        throw new FormatException("Member 'details' must be a JSON object or null.");
                    }
                    break;
                case "domains":
                    domains = ReadDomains(ref reader);
                    break;
                case "durationMicros": durationMicros = OptionalInteger(ref reader, name); break;
                case "error":
                    error = ReadError(ref reader);
                    break;
                case "hash": hash = RequiredHash(ref reader, name); break;
                case "id":
                    var idText = RequiredString(ref reader, name);
                    if (!Guid.TryParseExact(idText, "D", out id) || FormatId(id) != idText)
                        throw new FormatException($"Id '{idText}' is not a lower-case hyphenated UUID.");
                    break;
                case "model": model = OptionalString(ref reader, name); break;
                case "outcome":
                    var outcomeName = RequiredString(ref reader, name);
                    if (!AuditWireNames.TryParseOutcome(outcomeName, out outcome))
                        throw new FormatException($"Unknown outcome '{outcomeName}'.");
                    break;
                case "previousHash": previousHash = RequiredHash(ref reader, name); break;
                case "resourceId": resourceId = OptionalString(ref reader, name); break;
                case "resourceType": resourceType = OptionalString(ref reader, name); break;
                case "sealed": sealedContent = OptionalString(ref reader, name); break;
                case "sequence":
                    sequence = OptionalInteger(ref reader, name) ?? throw new FormatException("Member 'sequence' must not be null.");
                    if (sequence < 0)
                        throw new FormatException($"Sequence {sequence} is negative.");
                    break;
                case "spanId": spanId = OptionalString(ref reader, name); break;
                case "subjectId": subjectId = OptionalString(ref reader, name); break;
                case "timestamp":
                    var timestampText = RequiredString(ref reader, name);
                    if (!TryParseTimestamp(timestampText, out timestamp))
                        throw new FormatException($"Timestamp '{timestampText}' is not in the form {TimestampFormat}.");
                    break;
                case "tokensIn": tokensIn = OptionalInteger(ref reader, name); break;
                case "tokensOut": tokensOut = OptionalInteger(ref reader, name); break;
                case "toolName": toolName = OptionalString(ref reader, name); break;
                case "traceId": traceId = OptionalString(ref reader, name); break;
                case "userId": userId = OptionalString(ref reader, name); break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
            throw new FormatException("Audit record is not a complete JSON object.");
        if (reader.Read())
            throw new FormatException("Audit record has data after its closing brace.");
        if (seen != AllMembers)
        {
            var missing = Members.Where((_, i) => (seen & (1UL << i)) == 0);
            throw new FormatException($"Audit record lacks member(s): {string.Join(", ", missing)}.");
        }

        return new AuditRecord
        {
            Sequence = sequence,
            Id = id,
            Timestamp = timestamp,
            Action = action,
            ActorId = actorId,
            ActorType = actorType,
            ConversationId = conversationId,
            UserId = userId,
            SubjectId = subjectId,
            AgentName = agentName,
            ToolName = toolName,
            ResourceType = resourceType,
            ResourceId = resourceId,
            Classification = classification,
            Domains = domains,
            Outcome = outcome,
            DurationMicros = durationMicros,
            Details = details,
            Error = error,
            Model = model,
            TokensIn = tokensIn,
            TokensOut = tokensOut,
            Cost = cost,
            TraceId = traceId,
            SpanId = spanId,
            Sealed = sealedContent,
            PreviousHash = previousHash!,
            Hash = hash!,
        };
    }

    /// <summary>Whether <paramref name="text"/> is 64 lower-case hex digits.</summary>
    public static bool IsHashHex(string? text)
    {
        if (text is null || text.Length != HashHexLength)
            return false;
        foreach (var c in text)
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
                return false;
        return true;
    }

    private static void WriteInteger(CanonicalJsonWriter w, long? value)
    {
        if (value is { } v)
            w.Integer(v);
        else
            w.Null();
    }

    private static string RequiredString(ref Utf8JsonReader reader, string name) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new FormatException($"Member '{name}' must be a string.");

    private static string? OptionalString(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new FormatException($"Member '{name}' must be a string or null."),
    };

    private static string RequiredHash(ref Utf8JsonReader reader, string name)
    {
        var text = RequiredString(ref reader, name);
        return IsHashHex(text) ? text : throw new FormatException($"Member '{name}' must be 64 lower-case hex digits, not '{text}'.");
    }

    private static long? OptionalInteger(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number when reader.TryGetInt64(out var value) => value,
        _ => throw new FormatException($"Member '{name}' must be an integer or null."),
    };

    private static ComplianceDomain ReadDomains(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new FormatException("Member 'domains' must be an array of domain names.");
        var domains = ComplianceDomain.None;
        var last = ComplianceDomain.None;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var domainName = RequiredString(ref reader, "domains");
            if (!AuditWireNames.TryParseDomain(domainName, out var domain))
                throw new FormatException($"Unknown compliance domain '{domainName}'.");
            if (domain <= last)
                throw new FormatException($"Domain '{domainName}' is repeated or out of flag order.");
            last = domain;
            domains |= domain;
        }
        return domains;
    }

    private static AuditError? ReadError(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new FormatException("Member 'error' must be an object {\"message\",\"type\"} or null.");
        string? message = null, type = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "message" when message is null: message = RequiredString(ref reader, "error.message"); break;
                case "type" when type is null: type = RequiredString(ref reader, "error.type"); break;
                default: throw new FormatException($"Member 'error' has an unknown or repeated member '{name}'.");
            }
        }
        if (message is null || type is null)
            throw new FormatException("Member 'error' must have both 'message' and 'type'.");
        return new AuditError(type, message);
    }
}
