using AuditGen.Redaction;
using AuditGen.Tests.Invocation;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Redaction;

public sealed class RedactionStrategyTests
{
    private static readonly ToolDescriptor Tool = new("t", "T", "M", null, AuditAction.ToolInvoked, null, DataClass.Confidential,
        ComplianceDomain.None, AuditFailurePolicy.Default, [], ToolReturn.Void);

    private static string Redact(RedactionStrategy strategy, string value, byte[]? key = null, int keyId = 1) =>
        new RedactionEngine(key ?? TestTrails.Key(), keyId).Redact(strategy, value, Tool, "p");

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(DataClass.Public, null, null)]
    [InlineData(DataClass.Internal, null, null)]
    [InlineData(DataClass.Confidential, null, RedactionStrategy.Hmac)]
    [InlineData(DataClass.Restricted, null, RedactionStrategy.Erase)]
    [InlineData(DataClass.Restricted, RedactionStrategy.Mask, RedactionStrategy.Mask)]
    [InlineData(DataClass.Public, RedactionStrategy.LengthOnly, RedactionStrategy.LengthOnly)]
    [InlineData(null, RedactionStrategy.Hmac, RedactionStrategy.Hmac)]
    public void An_explicit_strategy_wins_else_the_classification_decides(DataClass? classification, RedactionStrategy? declared, RedactionStrategy? expected)
    {
        Assert.Equal(expected, RedactionEngine.StrategyFor(classification, declared));
    }

    [Fact]
    public void Erase_writes_a_fixed_marker() => Assert.Equal("[erased]", Redact(RedactionStrategy.Erase, "anything at all"));

    [Theory]
    [InlineData("4111111111111111", "************1111")]
    [InlineData("123-45-6789", "*******6789")]
    [InlineData("12345678", "********")]
    [InlineData("abc", "***")]
    [InlineData("", "")]
    public void Mask_keeps_only_the_last_four_characters_of_long_enough_values(string value, string expected) =>
        Assert.Equal(expected, Redact(RedactionStrategy.Mask, value));

    [Theory]
    [InlineData("hello world!", "[length:12]")]
    [InlineData("", "[length:0]")]
    public void LengthOnly_keeps_the_length(string value, string expected) => Assert.Equal(expected, Redact(RedactionStrategy.LengthOnly, value));

    [Fact]
    public void Hmac_is_a_key_id_prefixed_base64url_pseudonym_of_the_full_mac()
    {
        var pseudonym = Redact(RedactionStrategy.Hmac, "MRN-0042", keyId: 7);

        Assert.StartsWith("hmac:7:", pseudonym);
        var mac = pseudonym["hmac:7:".Length..];
        Assert.Equal(43, mac.Length);
        Assert.Matches("^[A-Za-z0-9_-]+$", mac);
        var expected = Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(TestTrails.Key(), "MRN-0042"u8))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(expected, mac);
    }

    [Fact]
    public void Hmac_is_deterministic_for_equal_input_and_differs_for_different_input_or_key()
    {
        Assert.Equal(Redact(RedactionStrategy.Hmac, "MRN-0042"), Redact(RedactionStrategy.Hmac, "MRN-0042"));
        Assert.NotEqual(Redact(RedactionStrategy.Hmac, "MRN-0042"), Redact(RedactionStrategy.Hmac, "MRN-0043"));
        Assert.NotEqual(
            Redact(RedactionStrategy.Hmac, "MRN-0042", TestTrails.Key(1))["hmac:1:".Length..],
            Redact(RedactionStrategy.Hmac, "MRN-0042", TestTrails.Key(2))["hmac:1:".Length..]);
    }

    [Fact]
    public void Hmac_handles_values_longer_than_the_stack_buffer()
    {
        var longValue = new string('é', 1000);
        Assert.Equal(Redact(RedactionStrategy.Hmac, longValue), Redact(RedactionStrategy.Hmac, longValue));
        Assert.NotEqual(Redact(RedactionStrategy.Hmac, longValue), Redact(RedactionStrategy.Hmac, longValue + "x"));
    }

    [Fact]
    public void Hmac_gives_the_same_pseudonym_on_every_thread()
    {
        var engine = new RedactionEngine(TestTrails.Key(), 1);
        var expected = engine.Redact(RedactionStrategy.Hmac, "MRN-0042", Tool, "p");
        var results = new string[16];
        Parallel.For(0, results.Length, i =>
        {
            _ = new RedactionEngine(TestTrails.Key(2), 1).Redact(RedactionStrategy.Hmac, "other", Tool, "p"); // re-keys this thread's HMAC
            results[i] = engine.Redact(RedactionStrategy.Hmac, "MRN-0042", Tool, "p");
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public async Task Hmac_pseudonyms_correlate_the_same_subject_across_calls()
    {
        var trail = TestTrails.Create();
        var tools = new AuditedPatientTools(new PatientTools(), trail);

        await tools.LookupPatientAsync("MRN-0042", "first");
        await tools.LookupPatientAsync("MRN-0042", "second");
        await tools.LookupPatientAsync("MRN-0043", "third");

        var subjects = trail.Appended.Where(e => e.Action == AuditAction.ToolInvoked).Select(e => e.SubjectId).ToArray();
        Assert.Equal(subjects[0], subjects[1]);
        Assert.NotEqual(subjects[0], subjects[2]);
    }

    [Fact]
    public void A_value_needing_hmac_without_a_key_fails_naming_the_tool_the_parameter_and_the_option()
    {
        var trail = new RecordingAuditTrail(new AuditTrailOptions());
        var invocation = ToolInvocation.Start(trail, AuditedPatientTools.LookupPatientTool);

        var error = Assert.Throws<AuditTrailException>(() => invocation.Argument(0, "MRN-0042"));

        Assert.Contains("lookup_patient", error.Message);
        Assert.Contains("'mrn'", error.Message);
        Assert.Contains("AuditTrailOptions.HmacKey", error.Message);
        Assert.Empty(trail.Appended);
    }

    [Fact]
    public void A_key_shorter_than_32_bytes_is_refused_when_needed()
    {
        var error = Assert.Throws<AuditTrailException>(() => Redact(RedactionStrategy.Hmac, "v", key: new byte[16]));

        Assert.Contains("16 bytes", error.Message);
    }

    [Fact]
    public void Options_cache_one_engine_and_rebuild_it_when_the_key_changes()
    {
        var options = new AuditTrailOptions { HmacKey = TestTrails.Key(1) };
        var first = options.Redaction;
        Assert.Same(first, options.Redaction);

        options.HmacKey = TestTrails.Key(2);
        Assert.NotSame(first, options.Redaction);
    }
}
