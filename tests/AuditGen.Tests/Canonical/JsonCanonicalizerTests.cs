using System.Globalization;
using System.Text;
using System.Text.Json;
using AuditGen.Canonical;
using CsCheck;

namespace AuditGen.Tests.Canonical;

public sealed class JsonCanonicalizerTests
{
    // RFC 8785 Appendix B: IEEE 754 bit patterns and their required serialization.
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Numbers_serialize_exactly_as_RFC_8785_appendix_B_requires(string ieeeHex, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(long.Parse(ieeeHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

        Assert.Equal(expected, EcmaScriptNumber.Format(value));
    }

    [Theory]
    [InlineData("7fffffffffffffff")]
    [InlineData("7ff0000000000000")]
    [InlineData("fff0000000000000")]
    public void NaN_and_infinity_are_refused_because_JSON_cannot_carry_them(string ieeeHex)
    {
        var value = BitConverter.Int64BitsToDouble(long.Parse(ieeeHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

        Assert.Throws<ArgumentOutOfRangeException>(() => EcmaScriptNumber.Format(value));
    }

    [Fact]
    public void The_RFC_8785_sample_canonicalizes_to_the_published_output()
    {
        // Sample from RFC 8785 §3.2.2 / cyberphone/json-canonicalization README.
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        const string expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";

        Assert.Equal(expected, JsonCanonicalizer.Canonicalize(input));
    }

    [Fact]
    public void Members_are_sorted_by_UTF16_code_units_as_in_the_RFC_8785_sorting_example()
    {
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;

        using var document = JsonDocument.Parse(JsonCanonicalizer.Canonicalize(input));
        var values = document.RootElement.EnumerateObject().Select(p => p.Value.GetString()!).ToArray();

        Assert.Equal(
            ["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign", "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"],
            values);
    }

    [Fact]
    public void Nested_objects_and_arrays_are_canonicalized_recursively_and_array_order_is_kept()
    {
        Assert.Equal(
            "[56,{\"1\":[],\"10\":null,\"d\":true}]",
            JsonCanonicalizer.Canonicalize("[\n  56,\n  {\n    \"d\": true,\n    \"10\": null,\n    \"1\": [ ]\n  }\n]"));
    }

    [Fact]
    public void Only_the_characters_the_RFC_requires_are_escaped()
    {
        Assert.Equal("\"<script>é/\\u001f\\t\\u007f\"".Replace("\\u007f", "\u007f", StringComparison.Ordinal),
            JsonCanonicalizer.Canonicalize("\"\\u003cscript>\\u00e9\\/\\u001F\\t\\u007F\""));
    }

    [Fact]
    public void A_repeated_member_name_is_rejected_because_its_meaning_is_ambiguous()
    {
        var error = Assert.Throws<JsonException>(() => JsonCanonicalizer.Canonicalize("{\"a\":1,\"a\":2}"));
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("")]
    [InlineData("\"\\ud800\"")]
    public void Invalid_JSON_is_rejected_with_a_JsonException(string input)
    {
        Assert.ThrowsAny<JsonException>(() => JsonCanonicalizer.Canonicalize(input));
    }

    [Fact]
    public void The_writer_refuses_members_out_of_order_so_a_codec_bug_cannot_produce_non_canonical_bytes()
    {
        var writer = new CanonicalJsonWriter(new System.Buffers.ArrayBufferWriter<byte>());
        writer.StartObject();
        writer.PropertyName("b");
        writer.Integer(1);

        Assert.Throws<InvalidOperationException>(() => writer.PropertyName("a"));
    }

    [Fact]
    public void Integers_beyond_two_to_the_53_are_refused_rather_than_silently_rounded()
    {
        var writer = new CanonicalJsonWriter(new System.Buffers.ArrayBufferWriter<byte>());

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Integer(1L << 53));
    }

    [Fact]
    public void Every_finite_double_formats_to_text_that_parses_back_to_the_same_double()
    {
        Gen.Long.Select(BitConverter.Int64BitsToDouble).Where(double.IsFinite).Sample(value =>
        {
            var text = EcmaScriptNumber.Format(value);
            var parsed = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            return parsed == value && !text.Contains('E', StringComparison.Ordinal);
        }, iter: 20_000);
    }

    [Fact]
    public void Canonicalization_is_idempotent_and_independent_of_member_order_and_whitespace()
    {
        var member = Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 6], Gen.OneOf(
            Gen.Double.Where(double.IsFinite).Select(d => JsonSerializer.Serialize(d)),
            Gen.String.Select(s => JsonSerializer.Serialize(s)),
            Gen.Bool.Select(b => b ? "true" : "false"),
            Gen.Const("null")));

        member.Array[0, 8].Select(Gen.Int, (members, seed) => (members, seed)).Sample(sample =>
        {
            var distinct = sample.members.DistinctBy(m => m.Item1).ToArray();
            var shuffled = distinct.OrderBy(_ => new Random(sample.seed).Next()).ToArray();
            var original = "{" + string.Join(",", distinct.Select(m => $"{JsonSerializer.Serialize(m.Item1)}:{m.Item2}")) + "}";
            var reordered = "{ " + string.Join(" ,\n ", shuffled.Select(m => $"{JsonSerializer.Serialize(m.Item1)} : {m.Item2}")) + " }";

            var canonical = JsonCanonicalizer.Canonicalize(original);
            return canonical == JsonCanonicalizer.Canonicalize(reordered)
                && canonical == JsonCanonicalizer.Canonicalize(canonical)
                && JsonDocument.Parse(canonical).RootElement.EnumerateObject().Count() == distinct.Length;
        }, iter: 2_000);
    }

    [Fact]
    public void Output_is_UTF8_without_a_byte_order_mark()
    {
        var bytes = JsonCanonicalizer.Canonicalize(Encoding.UTF8.GetBytes("{\"k\":\"€\"}"));

        Assert.Equal(new byte[] { 0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0xac, 0x22, 0x7d }, bytes);
    }
}
