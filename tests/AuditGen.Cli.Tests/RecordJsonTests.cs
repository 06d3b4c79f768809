using System.Text.Json;
using AuditGen.Cli.Output;

namespace AuditGen.Cli.Tests;

public sealed class RecordJsonTests
{
    private static readonly AuditRecord Record = new()
    {
        Sequence = 7,
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
        Details = """{"callId":"call-1"}""",
        Error = new AuditError("System.Collections.Generic.KeyNotFoundException", "No patient [redacted]"),
        PreviousHash = new string('0', 64),
        Hash = new string('a', 64),
    };

    private static JsonElement Written()
    {
        using var text = new StringWriter();
        JsonOutput.WriteLine(text, w => RecordJson.Write(w, Record));
        return JsonDocument.Parse(text.ToString()).RootElement.Clone();
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
    public void The_timestamp_is_utc_iso_8601_with_microseconds()
    {
        Assert.Equal("2025-01-31T09:30:15.123456Z", Written().GetProperty("timestamp").GetString());
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
