using System.Globalization;
using AuditGen.Canonical;
using Npgsql;
using NpgsqlTypes;

namespace AuditGen.PostgreSql.Storage;

/// <summary>
/// How records live in <c>auditgen.records</c>: one row per record keyed by (log_id, sequence), every field in its own
/// column (enums as wire names, the timestamp as Unix microseconds, domains as a <c>text[]</c> of wire names in flag
/// order, details as the canonical JSON text, cost as the invariant decimal string). Rows are read back strictly: a value
/// that could not have been written is <see cref="FormatException"/>, which verification reports as malformed.
/// </summary>
internal static class RecordRows
{
    /// <summary>The columns after <c>log_id</c>, in the order of <see cref="Read"/> and of the insert.</summary>
    public const string Columns =
        "sequence, id, timestamp_micros, action, actor_id, actor_type, conversation_id, user_id, subject_id, agent_name, " +
        "tool_name, resource_type, resource_id, classification, domains, outcome, duration_micros, details, error_type, " +
        "error_message, model, tokens_in, tokens_out, cost, trace_id, span_id, sealed, previous_hash, hash";

    /// <summary>
    /// The insert of a whole group commit's records (a part of <see cref="GroupCommitStatements.InsertBatchSql"/>, which
    /// adds its WHERE): parameter $1 is the log id, $2…$30 are one array per column (domains comma-joined), zipped by
    /// <c>unnest</c>. One prepared shape for every batch size.
    /// </summary>
    public const string InsertSql =
        "INSERT INTO auditgen.records (log_id, " + Columns + ") " +
        "SELECT $1, u.sequence, u.id, u.timestamp_micros, u.action, u.actor_id, u.actor_type, u.conversation_id, u.user_id, " +
        "u.subject_id, u.agent_name, u.tool_name, u.resource_type, u.resource_id, u.classification, string_to_array(u.domains, ','), " +
        "u.outcome, u.duration_micros, u.details, u.error_type, u.error_message, u.model, u.tokens_in, u.tokens_out, u.cost, " +
        "u.trace_id, u.span_id, u.sealed, u.previous_hash, u.hash " +
        "FROM unnest($2::bigint[], $3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], " +
        "$11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::bigint[], $19::text[], " +
        "$20::text[], $21::text[], $22::text[], $23::bigint[], $24::bigint[], $25::text[], $26::text[], $27::text[], $28::text[], " +
        "$29::text[], $30::text[]) AS u(sequence, id, timestamp_micros, action, actor_id, actor_type, conversation_id, user_id, " +
        "subject_id, agent_name, tool_name, resource_type, resource_id, classification, domains, outcome, duration_micros, details, " +
        "error_type, error_message, model, tokens_in, tokens_out, cost, trace_id, span_id, sealed, previous_hash, hash)";

    /// <summary>
    /// The records of log <c>$1</c> sealed under the subject pseudonym <c>$2</c> (base64url: the fourth <c>:</c>-separated
    /// part of a <c>vault:v1:&lt;key&gt;:&lt;pseudonym&gt;</c> header), through the partial index <c>records_sealed_subject</c>
    /// (schema version 7), in no particular order. No ORDER BY: sorted by sequence it could be planned along the primary key.
    /// </summary>
    public const string SelectSealedUnderSql =
        "SELECT " + Columns + " FROM auditgen.records WHERE log_id = $1 AND sealed IS NOT NULL AND split_part(sealed, ':', 4) = $2";

    /// <summary>One record of log <c>$1</c> by its sequence <c>$2</c>: a lookup by the whole primary key.</summary>
    public const string SelectBySequenceSql = "SELECT " + Columns + " FROM auditgen.records WHERE log_id = $1 AND sequence = $2";

    /// <summary>Unix microseconds of a timestamp (timestamps carry whole microseconds).</summary>
    public static long ToMicros(DateTimeOffset timestamp) => (timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>A bound between two microseconds must not exclude the later one: round up.</summary>
    public static long CeilingMicros(DateTimeOffset timestamp)
    {
        var ticks = timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return ticks / 10 + (ticks % 10 > 0 ? 1 : 0);
    }

    /// <summary>The parameters $1…$30 of <see cref="InsertSql"/> for <paramref name="records"/>.</summary>
    public static void AddColumnParameters(NpgsqlParameterCollection parameters, string logId, IReadOnlyList<AuditRecord> records)
    {
        var n = records.Count;
        T[] Column<T>(Func<AuditRecord, T> select)
        {
            var values = new T[n];
            for (var i = 0; i < n; i++)
                values[i] = select(records[i]);
            return values;
        }
        parameters.Add(new NpgsqlParameter<string> { TypedValue = logId });
        Add(parameters, NpgsqlDbType.Bigint, Column(r => r.Sequence));
        Add(parameters, NpgsqlDbType.Uuid, Column(r => r.Id));
        Add(parameters, NpgsqlDbType.Bigint, Column(r => ToMicros(r.Timestamp)));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.Action.ToWireName()));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.ActorId));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.ActorType.ToWireName()));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.ConversationId));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.UserId));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.SubjectId));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.AgentName));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.ToolName));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.ResourceType));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.ResourceId));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.Classification.ToWireName()));
        Add(parameters, NpgsqlDbType.Text, Column(r => string.Join(',', r.Domains.ToWireNames())));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.Outcome.ToWireName()));
        Add(parameters, NpgsqlDbType.Bigint, Column(r => r.DurationMicros));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.Details));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.Error?.Type));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.Error?.Message));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.Model));
        Add(parameters, NpgsqlDbType.Bigint, Column(r => r.TokensIn));
        Add(parameters, NpgsqlDbType.Bigint, Column(r => r.TokensOut));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.Cost?.ToString(CultureInfo.InvariantCulture)));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.TraceId));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.SpanId));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.Sealed));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.PreviousHash));
        Add(parameters, NpgsqlDbType.Text, Column(r => r.Hash));
    }

    private static void Add<T>(NpgsqlParameterCollection parameters, NpgsqlDbType elementType, T[] values) =>
        parameters.Add(new NpgsqlParameter<T[]> { NpgsqlDbType = NpgsqlDbType.Array | elementType, TypedValue = values });

    /// <summary>Reads the current row (selected with <see cref="Columns"/>, starting at <paramref name="first"/>) strictly.</summary>
    /// <exception cref="FormatException">A column holds a value the store never writes.</exception>
    public static AuditRecord Read(NpgsqlDataReader row, int first = 0)
    {
        var c = first;
        var sequence = row.GetInt64(c++);
        var id = row.GetGuid(c++);
        var micros = row.GetInt64(c++);
        if (micros < -62_135_596_800_000_000L || micros > 253_402_300_799_999_999L)
            throw new FormatException($"timestamp_micros {micros} is outside the representable range.");
        var action = Parse<AuditAction>(row, c++, "action", AuditWireNames.TryParseAction);
        var actorId = Text(row, c++);
        var actorType = Parse<ActorType>(row, c++, "actor_type", AuditWireNames.TryParseActorType);
        var conversationId = Text(row, c++);
        var userId = Text(row, c++);
        var subjectId = Text(row, c++);
        var agentName = Text(row, c++);
        var toolName = Text(row, c++);
        var resourceType = Text(row, c++);
        var resourceId = Text(row, c++);
        var classification = Parse<DataClass>(row, c++, "classification", AuditWireNames.TryParseDataClass);
        var domains = ReadDomains(row.GetFieldValue<string[]>(c++));
        var outcome = Parse<AuditOutcome>(row, c++, "outcome", AuditWireNames.TryParseOutcome);
        var durationMicros = Integer(row, c++);
        var details = Text(row, c++);
        if (details is not null && (details.Length == 0 || details[0] != '{'))
            throw new FormatException("Column 'details' must hold a JSON object.");
        var errorType = Text(row, c++);
        var errorMessage = Text(row, c++);
        if ((errorType is null) != (errorMessage is null))
            throw new FormatException("Columns 'error_type' and 'error_message' must both be set or both be null.");
        var model = Text(row, c++);
        var tokensIn = Integer(row, c++);
        var tokensOut = Integer(row, c++);
        var cost = ReadCost(Text(row, c++));
        var traceId = Text(row, c++);
        var spanId = Text(row, c++);
        var sealedContent = Text(row, c++);
        var previousHash = row.GetString(c++);
        var hash = row.GetString(c++);
        if (!AuditRecordCodec.IsHashHex(previousHash) || !AuditRecordCodec.IsHashHex(hash))
            throw new FormatException("Hash columns must hold 64 lower-case hex digits.");

        return new AuditRecord
        {
            Sequence = sequence,
            Id = id,
            Timestamp = DateTimeOffset.UnixEpoch.AddTicks(micros * 10),
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
            Error = errorType is null ? null : new AuditError(errorType, errorMessage!),
            Model = model,
            TokensIn = tokensIn,
            TokensOut = tokensOut,
            Cost = cost,
            TraceId = traceId,
            SpanId = spanId,
            Sealed = sealedContent,
            PreviousHash = previousHash,
            Hash = hash,
        };
    }

    private delegate bool TryParse<T>(string? name, out T value);

    private static T Parse<T>(NpgsqlDataReader row, int ordinal, string column, TryParse<T> parse)
    {
        var text = row.GetString(ordinal);
        return parse(text, out var value) ? value : throw new FormatException($"Unknown {column} '{text}'.");
    }

    private static string? Text(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    private static long? Integer(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetInt64(ordinal);

    private static ComplianceDomain ReadDomains(string[] names)
    {
        var domains = ComplianceDomain.None;
        var last = ComplianceDomain.None;
        foreach (var name in names)
        {
            if (!AuditWireNames.TryParseDomain(name, out var domain))
                throw new FormatException($"Unknown compliance domain '{name}'.");
            if (domain <= last)
                throw new FormatException($"Domain '{name}' is repeated or out of flag order.");
            last = domain;
            domains |= domain;
        }
        return domains;
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
