using System.Text;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Integrity;

public class AuditRecordCodecTests
{
    [Fact]
    public void A_record_round_trips_through_its_full_form()
    {
        var record = Entries.FullRecord();

        var back = AuditRecordCodec.Deserialize(AuditRecordCodec.Serialize(record));

        Assert.Equal(record, back);
    }

    [Fact]
    public void A_record_with_every_optional_field_null_round_trips()
    {
        var record = new AuditRecord
        {
            Sequence = 0,
            Id = Guid.Parse("01890a5d-ac96-774b-bcce-b302099a8057"),
            Timestamp = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Action = AuditAction.ConversationStarted,
            PreviousHash = HashHex.Zero,
            Hash = HashHex.Zero,
        };

        Assert.Equal(record, AuditRecordCodec.Deserialize(AuditRecordCodec.Serialize(record)));
    }

    [Fact]
    public void The_canonical_form_has_every_member_in_rfc8785_order_with_explicit_nulls_and_no_hash()
    {
        var record = Entries.FullRecord() with { Error = null, Cost = null, Details = null };

        var json = Encoding.UTF8.GetString(AuditRecordCodec.GetCanonicalBytes(record));

        var expected =
            "{'action':'tool_failed','actorId':'triage-agent','actorType':'agent','agentName':'triage','classification':'confidential'," +
            "'conversationId':'conv-1','cost':null,'details':null,'domains':['hipaa','soc2'],'durationMicros':1250,'error':null," +
            "'id':'01890a5d-ac96-774b-bcce-b302099a8057','model':'gpt-x','outcome':'failure','previousHash':'" + new string('a', 64) + "'," +
            "'resourceId':'hmac:1:77aa','resourceType':'patient','sealed':'c2VhbGVk','sequence':7,'spanId':'00f067aa0ba902b7','subjectId':'hmac:1:3f2a'," +
            "'timestamp':'2025-03-14T09:26:53.589793Z','tokensIn':120,'tokensOut':40,'toolName':'lookup_patient','traceId':'4bf92f3577b34da6a3ce929d0e0e4736','userId':'dr.house'}";
        Assert.Equal(expected.Replace('\'', '"'), json);
    }

    [Fact]
    public void The_full_form_places_hash_between_error_and_id()
    {
        var json = Encoding.UTF8.GetString(AuditRecordCodec.Serialize(Entries.FullRecord()));

        Assert.Contains("The EHR did not answer.\",\"type\":\"System.TimeoutException\"},\"hash\":\"bbbb", json);
        Assert.Contains("bbbb\",\"id\":\"01890a5d", json);
        Assert.Contains("\"cost\":\"0.0125\"", json);
        Assert.Contains("""{"args":{"mrn":"[erased]"},"callId":"c1"}""", json);
    }

    public static TheoryData<string> EditedFields() =>
    [
        nameof(AuditRecord.Sequence), nameof(AuditRecord.Id), nameof(AuditRecord.Timestamp), nameof(AuditRecord.Action),
        nameof(AuditRecord.ActorId), nameof(AuditRecord.ActorType), nameof(AuditRecord.ConversationId), nameof(AuditRecord.UserId),
        nameof(AuditRecord.SubjectId), nameof(AuditRecord.AgentName), nameof(AuditRecord.ToolName), nameof(AuditRecord.ResourceType),
        nameof(AuditRecord.ResourceId), nameof(AuditRecord.Classification), nameof(AuditRecord.Domains), nameof(AuditRecord.Outcome),
        nameof(AuditRecord.DurationMicros), nameof(AuditRecord.Details), "Error.Type", "Error.Message", nameof(AuditRecord.Model),
        nameof(AuditRecord.TokensIn), nameof(AuditRecord.TokensOut), nameof(AuditRecord.Cost), nameof(AuditRecord.TraceId),
        nameof(AuditRecord.SpanId), nameof(AuditRecord.Sealed), nameof(AuditRecord.PreviousHash),
    ];

    [Theory]
    [MemberData(nameof(EditedFields))]
    public void Every_field_participates_in_the_hash(string field)
    {
        var original = Entries.FullRecord();
        var edited = Edit(original, field);
        Assert.NotEqual(original, edited);

        Assert.NotEqual(ChainHasher.ComputeRecordHash(original), ChainHasher.ComputeRecordHash(edited));
    }

    [Fact]
    public void Every_record_property_is_covered_by_the_edited_fields_list()
    {
        var covered = ((IEnumerable<object[]>)EditedFields()).Select(row => ((string)row[0]).Split('.')[0]).ToHashSet();
        var properties = typeof(AuditRecord).GetProperties().Select(p => p.Name).Where(n => n is not ("Hash" or "EqualityContract"));

        Assert.All(properties, p => Assert.Contains(p, covered));
    }

    [Fact]
    public void The_full_form_built_from_the_canonical_form_equals_the_serialized_record_even_with_nested_ids()
    {
        var record = Entries.FullRecord() with { Details = """{"id":"nested","x":{"id":"deeper"}}""", Error = new AuditError("T", "m \",\"id\":\"") };
        var output = new System.Buffers.ArrayBufferWriter<byte>();

        AuditRecordCodec.WriteFullFromCanonical(AuditRecordCodec.GetCanonicalBytes(record), Encoding.ASCII.GetBytes(record.Hash), output);

        Assert.Equal(AuditRecordCodec.Serialize(record), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void The_hash_field_itself_is_not_part_of_the_canonical_bytes()
    {
        var record = Entries.FullRecord();

        Assert.Equal(AuditRecordCodec.GetCanonicalBytes(record), AuditRecordCodec.GetCanonicalBytes(record with { Hash = new string('c', 64) }));
    }

    [Fact]
    public void Details_are_canonicalized_so_equivalent_json_hashes_the_same()
    {
        var record = Entries.FullRecord();
        var reformatted = record with { Details = """{ "callId" : "c1", "args": {"mrn":"[erased]"} }""" };

        Assert.Equal(AuditRecordCodec.GetCanonicalBytes(record), AuditRecordCodec.GetCanonicalBytes(reformatted));
    }

    [Theory]
    [InlineData("\"classification\":\"confidential\"", "\"classification\":\"top_secret\"", "Unknown classification 'top_secret'")]
    [InlineData("\"action\":\"tool_failed\"", "\"action\":\"tool_exploded\"", "Unknown action 'tool_exploded'")]
    [InlineData("\"model\":\"gpt-x\",", "", "lacks member(s): model")]
    [InlineData("\"sequence\":7", "\"sequence\":\"7\"", "'sequence' must be an integer")]
    [InlineData("\"timestamp\":\"2025-03-14T09:26:53.589793Z\"", "\"timestamp\":\"2025-03-14T09:26:53.589Z\"", "Timestamp '2025-03-14T09:26:53.589Z' is not in the form")]
    [InlineData("\"userId\":\"dr.house\"", "\"userId\":\"dr.house\",\"extra\":1", "unknown member 'extra'")]
    [InlineData("\"domains\":[\"hipaa\",\"soc2\"]", "\"domains\":[\"hipaa\",\"sox\"]", "Unknown compliance domain 'sox'")]
    [InlineData("\"id\":\"01890a5d-ac96-774b-bcce-b302099a8057\"", "\"id\":\"01890A5D-AC96-774B-BCCE-B302099A8057\"", "not a lower-case hyphenated UUID")]
    public void Deserialize_rejects_a_malformed_record_with_a_clear_message(string from, string to, string expected)
    {
        var json = Encoding.UTF8.GetString(AuditRecordCodec.Serialize(Entries.FullRecord()));
        Assert.Contains(from, json);

        var error = Assert.Throws<FormatException>(() => AuditRecordCodec.Deserialize(Encoding.UTF8.GetBytes(json.Replace(from, to))));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Deserialize_rejects_text_that_is_not_json()
    {
        Assert.Throws<FormatException>(() => AuditRecordCodec.Deserialize("{\"action\":"u8));
    }

    [Fact]
    public void A_timestamp_finer_than_a_microsecond_is_refused_rather_than_silently_dropped_from_the_hash()
    {
        var record = Entries.FullRecord() with { Timestamp = Entries.FullRecord().Timestamp.AddTicks(3) };

        Assert.Throws<ArgumentException>(() => AuditRecordCodec.GetCanonicalBytes(record));
    }

    private static AuditRecord Edit(AuditRecord r, string field) => field switch
    {
        nameof(AuditRecord.Sequence) => r with { Sequence = r.Sequence + 1 },
        nameof(AuditRecord.Id) => r with { Id = Guid.Parse("01890a5d-ac96-774b-bcce-b302099a8058") },
        nameof(AuditRecord.Timestamp) => r with { Timestamp = r.Timestamp.AddTicks(10) },
        nameof(AuditRecord.Action) => r with { Action = AuditAction.ToolCompleted },
        nameof(AuditRecord.ActorId) => r with { ActorId = "other-agent" },
        nameof(AuditRecord.ActorType) => r with { ActorType = ActorType.Admin },
        nameof(AuditRecord.ConversationId) => r with { ConversationId = "conv-2" },
        nameof(AuditRecord.UserId) => r with { UserId = "dr.cuddy" },
        nameof(AuditRecord.SubjectId) => r with { SubjectId = null },
        nameof(AuditRecord.AgentName) => r with { AgentName = "billing" },
        nameof(AuditRecord.ToolName) => r with { ToolName = "delete_patient" },
        nameof(AuditRecord.ResourceType) => r with { ResourceType = "invoice" },
        nameof(AuditRecord.ResourceId) => r with { ResourceId = "hmac:1:77ab" },
        nameof(AuditRecord.Classification) => r with { Classification = DataClass.Public },
        nameof(AuditRecord.Domains) => r with { Domains = ComplianceDomain.Hipaa },
        nameof(AuditRecord.Outcome) => r with { Outcome = AuditOutcome.Denied },
        nameof(AuditRecord.DurationMicros) => r with { DurationMicros = 1251 },
        nameof(AuditRecord.Details) => r with { Details = """{"args":{"mrn":"[erased]"},"callId":"c2"}""" },
        "Error.Type" => r with { Error = r.Error! with { Type = "System.Exception" } },
        "Error.Message" => r with { Error = r.Error! with { Message = "Other." } },
        nameof(AuditRecord.Model) => r with { Model = "gpt-y" },
        nameof(AuditRecord.TokensIn) => r with { TokensIn = 121 },
        nameof(AuditRecord.TokensOut) => r with { TokensOut = 41 },
        nameof(AuditRecord.Cost) => r with { Cost = 0.0126m },
        nameof(AuditRecord.TraceId) => r with { TraceId = "4bf92f3577b34da6a3ce929d0e0e4737" },
        nameof(AuditRecord.SpanId) => r with { SpanId = "00f067aa0ba902b8" },
        nameof(AuditRecord.Sealed) => r with { Sealed = "c2VhbGVl" },
        nameof(AuditRecord.PreviousHash) => r with { PreviousHash = new string('e', 64) },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };
}
