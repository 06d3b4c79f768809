using System.Globalization;
using AuditGen.Canonical;
using LiteDB;

namespace AuditGen.Storage;

/// <summary>
/// How records live in LiteDB: one document per record, <c>_id</c> = storage position (equal to the sequence when
/// honest) plus a separate <c>sequence</c> field, every field of the record (explicit nulls), enums as wire names,
/// the timestamp as the exact hashed ISO string plus <c>timestampMicros</c> (Unix microseconds) for range queries —
/// never a LiteDB <c>DateTime</c>, which keeps milliseconds only and reads back local.
/// </summary>
internal static class LiteDbRecordMapping
{
    /// <summary>The collection holding records.</summary>
    public const string CollectionName = "records";

    private const string TimestampMicros = "timestampMicros";

    private static readonly string[] Fields =
    [
        "sequence", "id", "timestamp", TimestampMicros, "action", "actorId", "actorType", "conversationId", "userId", "subjectId",
        "agentName", "toolName", "resourceType", "resourceId", "classification", "domains", "outcome", "durationMicros",
        "details", "error", "model", "tokensIn", "tokensOut", "cost", "traceId", "spanId", "sealed", "previousHash", "hash",
    ];

    /// <summary>Creates the query indexes (idempotent).</summary>
    public static void EnsureIndexes(ILiteCollection<BsonDocument> collection)
    {
        collection.EnsureIndex("conversationId");
        collection.EnsureIndex("userId");
        collection.EnsureIndex("toolName");
        collection.EnsureIndex("action");
        collection.EnsureIndex(TimestampMicros);
        // Queries by resource and by data subject (audits of one patient's record, erasure of one subject).
        collection.EnsureIndex("resourceId");
        collection.EnsureIndex("subjectId");
    }

    /// <summary>The document for <paramref name="record"/> stored at <paramref name="position"/>.</summary>
    public static BsonDocument ToDocument(long position, AuditRecord record)
    {
        var domains = new BsonArray();
        foreach (var name in record.Domains.ToWireNames())
            domains.Add(name);
        return new BsonDocument
        {
            ["_id"] = position,
            ["sequence"] = record.Sequence,
            ["id"] = AuditRecordCodec.FormatId(record.Id),
            ["timestamp"] = AuditRecordCodec.FormatTimestamp(record.Timestamp),
            [TimestampMicros] = ToMicros(record.Timestamp),
            ["action"] = record.Action.ToWireName(),
            ["actorId"] = Str(record.ActorId),
            ["actorType"] = record.ActorType.ToWireName(),
            ["conversationId"] = Str(record.ConversationId),
            ["userId"] = Str(record.UserId),
            ["subjectId"] = Str(record.SubjectId),
            ["agentName"] = Str(record.AgentName),
            ["toolName"] = Str(record.ToolName),
            ["resourceType"] = Str(record.ResourceType),
            ["resourceId"] = Str(record.ResourceId),
            ["classification"] = record.Classification.ToWireName(),
            ["domains"] = domains,
            ["outcome"] = record.Outcome.ToWireName(),
            ["durationMicros"] = Int(record.DurationMicros),
            ["details"] = Str(record.Details),
            ["error"] = record.Error is null ? BsonValue.Null : new BsonDocument { ["type"] = record.Error.Type, ["message"] = record.Error.Message },
            ["model"] = Str(record.Model),
            ["tokensIn"] = Int(record.TokensIn),
            ["tokensOut"] = Int(record.TokensOut),
            ["cost"] = Str(record.Cost?.ToString(CultureInfo.InvariantCulture)),
            ["traceId"] = Str(record.TraceId),
            ["spanId"] = Str(record.SpanId),
            ["sealed"] = Str(record.Sealed),
            ["previousHash"] = record.PreviousHash,
            ["hash"] = record.Hash,
        };
    }

    /// <summary>The storage position (<c>_id</c>) of a document.</summary>
    /// <exception cref="FormatException">The <c>_id</c> is not an integer.</exception>
    public static long PositionOf(BsonDocument document) =>
        document["_id"] is { IsInt32: true } or { IsInt64: true } ? document["_id"].AsInt64 : throw new FormatException($"_id {document["_id"]} is not an integer position.");

    /// <summary>The stored hash field of a document, or <see langword="null"/> when it is not a string.</summary>
    public static string? StoredHashOf(BsonDocument document) => document["hash"] is { IsString: true } h ? h.AsString : null;

    /// <summary>Reads a document back strictly.</summary>
    /// <exception cref="FormatException">A field is missing, of the wrong type, or not a valid value.</exception>
    public static AuditRecord FromDocument(BsonDocument document)
    {
        foreach (var field in Fields)
            if (!document.ContainsKey(field))
                throw new FormatException($"Document lacks field '{field}'.");
        if (document.Keys.Count != Fields.Length + 1)
            throw new FormatException($"Document has unexpected fields: {string.Join(", ", document.Keys.Where(k => k != "_id" && Array.IndexOf(Fields, k) < 0))}.");

        var timestampText = RequiredString(document, "timestamp");
        if (!AuditRecordCodec.TryParseTimestamp(timestampText, out var timestamp))
            throw new FormatException($"Timestamp '{timestampText}' is not in the form {AuditRecordCodec.TimestampFormat}.");
        if (OptionalLong(document, TimestampMicros) != ToMicros(timestamp))
            throw new FormatException($"Field '{TimestampMicros}' disagrees with timestamp '{timestampText}'.");
        var idText = RequiredString(document, "id");
        if (!Guid.TryParseExact(idText, "D", out var id) || AuditRecordCodec.FormatId(id) != idText)
            throw new FormatException($"Id '{idText}' is not a lower-case hyphenated UUID.");
        var previousHash = RequiredString(document, "previousHash");
        var hash = RequiredString(document, "hash");
        if (!AuditRecordCodec.IsHashHex(previousHash) || !AuditRecordCodec.IsHashHex(hash))
            throw new FormatException("Hash fields must be 64 lower-case hex digits.");
        var details = OptionalString(document, "details");
        if (details is not null && (details.Length == 0 || details[0] != '{'))
            throw new FormatException("Field 'details' must hold a JSON object.");

        return new AuditRecord
        {
            Sequence = OptionalLong(document, "sequence") ?? throw new FormatException("Field 'sequence' must not be null."),
            Id = id,
            Timestamp = timestamp,
            Action = AuditWireNames.TryParseAction(RequiredString(document, "action"), out var action) ? action : throw Unknown(document, "action"),
            ActorId = OptionalString(document, "actorId"),
            ActorType = AuditWireNames.TryParseActorType(RequiredString(document, "actorType"), out var actorType) ? actorType : throw Unknown(document, "actorType"),
            ConversationId = OptionalString(document, "conversationId"),
            UserId = OptionalString(document, "userId"),
            SubjectId = OptionalString(document, "subjectId"),
            AgentName = OptionalString(document, "agentName"),
            ToolName = OptionalString(document, "toolName"),
            ResourceType = OptionalString(document, "resourceType"),
            ResourceId = OptionalString(document, "resourceId"),
            Classification = AuditWireNames.TryParseDataClass(RequiredString(document, "classification"), out var classification) ? classification : throw Unknown(document, "classification"),
            Domains = ReadDomains(document["domains"]),
            Outcome = AuditWireNames.TryParseOutcome(RequiredString(document, "outcome"), out var outcome) ? outcome : throw Unknown(document, "outcome"),
            DurationMicros = OptionalLong(document, "durationMicros"),
            Details = details,
            Error = ReadError(document["error"]),
            Model = OptionalString(document, "model"),
            TokensIn = OptionalLong(document, "tokensIn"),
            TokensOut = OptionalLong(document, "tokensOut"),
            Cost = ReadCost(OptionalString(document, "cost")),
            TraceId = OptionalString(document, "traceId"),
            SpanId = OptionalString(document, "spanId"),
            Sealed = OptionalString(document, "sealed"),
            PreviousHash = previousHash,
            Hash = hash,
        };
    }

    /// <summary>The LiteDB filter for <paramref name="query"/>, or <see langword="null"/> when it matches everything.</summary>
    public static BsonExpression? ToFilter(AuditQuery query)
    {
        var parts = new List<BsonExpression>();
        if (query.ConversationId is not null) parts.Add(Query.EQ("conversationId", query.ConversationId));
        if (query.UserId is not null) parts.Add(Query.EQ("userId", query.UserId));
        if (query.ToolName is not null) parts.Add(Query.EQ("toolName", query.ToolName));
        if (query.Action is { } action) parts.Add(Query.EQ("action", action.ToWireName()));
        if (query.ResourceType is not null) parts.Add(Query.EQ("resourceType", query.ResourceType));
        if (query.ResourceId is not null) parts.Add(Query.EQ("resourceId", query.ResourceId));
        if (query.SubjectId is not null) parts.Add(Query.EQ("subjectId", query.SubjectId));
        if (query.Outcome is { } outcome) parts.Add(Query.EQ("outcome", outcome.ToWireName()));
        if (query.MinimumClassification is not null)
            parts.Add(Query.In("classification", query.ClassificationsAtLeast().Select(c => new BsonValue(c.ToWireName())).ToArray()));
        if (query.From is { } from) parts.Add(Query.GTE(TimestampMicros, CeilingMicros(from)));
        if (query.To is { } to) parts.Add(Query.LT(TimestampMicros, CeilingMicros(to)));
        return parts.Count switch
        {
            0 => null,
            1 => parts[0],
            _ => Query.And(parts.ToArray()),
        };
    }

    /// <summary>Whether <paramref name="record"/> matches <paramref name="query"/> (for records not yet in LiteDB).</summary>
    public static bool Matches(AuditQuery query, AuditRecord record) => query.Matches(record);

    /// <summary>Unix microseconds of a timestamp.</summary>
    public static long ToMicros(DateTimeOffset timestamp) => (timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    // A bound between two microseconds must not exclude the later one: round up.
    private static long CeilingMicros(DateTimeOffset timestamp)
    {
        var ticks = timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return ticks / 10 + (ticks % 10 > 0 ? 1 : 0);
    }

    private static BsonValue Str(string? value) => value is null ? BsonValue.Null : new BsonValue(value);

    private static BsonValue Int(long? value) => value is { } v ? new BsonValue(v) : BsonValue.Null;

    private static FormatException Unknown(BsonDocument document, string field) => new($"Unknown {field} '{document[field]}'.");

    private static string RequiredString(BsonDocument document, string field) =>
        document[field] is { IsString: true } value ? value.AsString : throw new FormatException($"Field '{field}' must be a string, not {document[field].Type}.");

    private static string? OptionalString(BsonDocument document, string field) => document[field] switch
    {
        { IsNull: true } => null,
        { IsString: true } value => value.AsString,
        var other => throw new FormatException($"Field '{field}' must be a string or null, not {other.Type}."),
    };

    private static long? OptionalLong(BsonDocument document, string field) => document[field] switch
    {
        { IsNull: true } => null,
        { IsInt32: true } or { IsInt64: true } => document[field].AsInt64,
        var other => throw new FormatException($"Field '{field}' must be an integer or null, not {other.Type}."),
    };

    private static ComplianceDomain ReadDomains(BsonValue value)
    {
        if (!value.IsArray)
            throw new FormatException($"Field 'domains' must be an array, not {value.Type}.");
        var domains = ComplianceDomain.None;
        var last = ComplianceDomain.None;
        foreach (var item in value.AsArray)
        {
            if (!item.IsString || !AuditWireNames.TryParseDomain(item.AsString, out var domain))
                throw new FormatException($"Unknown compliance domain {item}.");
            if (domain <= last)
                throw new FormatException($"Domain {item} is repeated or out of flag order.");
            last = domain;
            domains |= domain;
        }
        return domains;
    }

    private static AuditError? ReadError(BsonValue value)
    {
        if (value.IsNull)
            return null;
        if (!value.IsDocument || value.AsDocument.Keys.Count != 2 || !value["type"].IsString || !value["message"].IsString)
            throw new FormatException("Field 'error' must be null or a document with string 'type' and 'message'.");
        return new AuditError(value["type"].AsString, value["message"].AsString);
    }

    private static decimal? ReadCost(string? text)
    {
        if (text is null)
            return null;
        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cost)
            || cost.ToString(CultureInfo.InvariantCulture) != text)
            throw new FormatException($"Cost '{text}' is not an invariant decimal.");
        return cost;
    }
}
