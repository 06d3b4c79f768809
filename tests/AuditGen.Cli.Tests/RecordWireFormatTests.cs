using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AuditGen.Canonical;
using AuditGen.Cli.Output;

namespace AuditGen.Cli.Tests;

/// <summary>What <c>auditgen query --json</c> prints per record: the trail's own wire form, hash included.</summary>
public sealed class RecordWireFormatTests
{
    private static readonly AuditRecord Unhashed = new()
    {
        Sequence = 0,
        Id = Guid.Parse("01936f3c-2a7b-7cc0-9a4e-4d2f8e1b0c11"),
        Timestamp = new DateTimeOffset(2025, 1, 31, 9, 30, 15, TimeSpan.Zero).AddTicks(1_234_560),
        Action = AuditAction.ToolFailed,
        ActorType = ActorType.Agent,
        ConversationId = "conv-1",
        ToolName = "lookup_patient",
        Classification = DataClass.Restricted,
        Domains = ComplianceDomain.Hipaa | ComplianceDomain.Gdpr,
        Outcome = AuditOutcome.Failure,
        DurationMicros = 1500,
        Cost = 0.0125m,
        Details = """{"callId":"call-1"}""",
        Error = new AuditError("System.Collections.Generic.KeyNotFoundException", "No patient [redacted]"),
        PreviousHash = new string('0', 64),
        Hash = new string('0', 64),
    };

    // The published formula (README, DESIGN §4), computed here independently of the library's hasher.
    private static readonly AuditRecord Record = Unhashed with { Hash = SpecHash(AuditRecordCodec.GetCanonicalBytes(Unhashed), new byte[32]) };

    private static string SpecHash(byte[] canonical, byte[] previous)
    {
        var leaf = SHA256.HashData([0x00, .. canonical]);
        return Convert.ToHexStringLower(SHA256.HashData([.. "auditgen:v1"u8, .. previous, .. leaf]));
    }

    private static JsonElement Written() => JsonDocument.Parse(AuditRecordCodec.Serialize(Record)).RootElement.Clone();

    [Fact]
    public void An_exported_line_rehashes_to_its_own_hash_with_nothing_but_SHA256()
    {
        var line = AuditRecordCodec.Serialize(Record);
        var parsed = AuditRecordCodec.Deserialize(line);

        Assert.Equal(Record, parsed);
        Assert.Equal(Record.Hash, SpecHash(AuditRecordCodec.GetCanonicalBytes(parsed), new byte[32]));
    }

    [Fact]
    public void Enums_are_written_with_their_snake_case_wire_names()
    {
        var json = Written();

        Assert.Equal("tool_failed", json.GetProperty("action").GetString());
        Assert.Equal("agent", json.GetProperty("actorType").GetString());
        Assert.Equal("restricted", json.GetProperty("classification").GetString());
        Assert.Equal("failure", json.GetProperty("outcome").GetString());
        Assert.Equal(["hipaa", "gdpr"], json.GetProperty("domains").EnumerateArray().Select(d => d.GetString()));
    }

    [Fact]
    public void The_timestamp_is_utc_iso_8601_with_microseconds_and_cost_keeps_every_decimal_digit()
    {
        Assert.Equal("2025-01-31T09:30:15.123456Z", Written().GetProperty("timestamp").GetString());
        Assert.Equal("0.0125", Written().GetProperty("cost").GetString());
    }

    [Fact]
    public void Details_are_embedded_as_the_json_object_they_hold()
    {
        Assert.Equal("call-1", Written().GetProperty("details").GetProperty("callId").GetString());
    }

    [Fact]
    public void Every_record_field_is_present_even_when_absent_from_the_record()
    {
        var names = Written().EnumerateObject().Select(p => p.Name).ToHashSet();

        string[] expected =
        [
            "sequence", "id", "timestamp", "action", "actorId", "actorType", "conversationId", "userId", "subjectId",
            "agentName", "toolName", "resourceType", "resourceId", "classification", "domains", "outcome",
            "durationMicros", "details", "error", "model", "tokensIn", "tokensOut", "cost", "traceId", "spanId",
            "sealed", "previousHash", "hash",
        ];
        Assert.Equal(expected.Order(), names.Order());
        Assert.Equal(typeof(AuditRecord).GetProperties().Length, expected.Length);
    }

    [Theory]
    [InlineData(VerificationFailure.HashMismatch, "hash_mismatch")]
    [InlineData(VerificationFailure.PreviousHashMismatch, "previous_hash_mismatch")]
    [InlineData(VerificationFailure.Gap, "gap")]
    [InlineData(VerificationFailure.None, "none")]
    public void Verification_failures_are_reported_in_snake_case(VerificationFailure failure, string expected)
    {
        Assert.Equal(expected, SnakeCase.From(failure));
    }
}
