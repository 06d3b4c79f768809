using System.Text.Json;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Invocation;

public sealed class ValueCaptureTests
{
    public enum Ward { Cardiology, Oncology }

    public sealed class Node
    {
        public string Name { get; set; } = "n";
        public Node? Next { get; set; }
    }

    public sealed class ThrowingGetter
    {
        public string Secret => throw new InvalidOperationException("getter leaked MRN-9001 and jane@example.com");
    }

    public sealed record Visit(string Ward, int Room);

    /// <summary>A one-parameter tool, driven as a generated wrapper drives it; returns the tool_invoked arguments.</summary>
    private static async Task<(JsonElement Value, RecordingAuditTrail Trail, bool Ran)> CaptureAsync<T>(
        T value, DataClass? classification = null, RedactionStrategy? strategy = null, Action<AuditTrailOptions>? configure = null)
    {
        var trail = TestTrails.Create(configure);
        var tool = new ToolDescriptor("capture", "T", "M", null, AuditAction.ToolInvoked, null, DataClass.Public, ComplianceDomain.None,
            AuditFailurePolicy.Default, [new ToolParameter("value", typeof(T).FullName!, classification, strategy, ToolParameterRole.None, [])], ToolReturn.Void);
        var invocation = ToolInvocation.Start(trail, tool);
        invocation.Argument(0, value);
        await invocation.InvokedAsync();
        var ran = true; // the tool body
        await invocation.CompletedAsync();
        return (TestTrails.Details(trail.Appended[0]).GetProperty("arguments").GetProperty("value").Clone(), trail, ran);
    }

    private static async Task<string> RawAsync<T>(T value) => (await CaptureAsync(value)).Value.GetRawText();

    [Fact]
    public async Task Primitives_are_recorded_as_json_literals_in_the_invariant_culture()
    {
        Assert.Equal("42", await RawAsync(42));
        Assert.Equal("-7", await RawAsync(-7L));
        Assert.Equal("255", await RawAsync((byte)255));
        Assert.Equal("18446744073709551615", await RawAsync(ulong.MaxValue));
        Assert.Equal("1.5", await RawAsync(1.5));
        Assert.Equal("0.25", await RawAsync(0.25f));
        Assert.Equal("1234.50", await RawAsync(1234.50m));
        Assert.Equal("true", await RawAsync(true));
        Assert.Equal("null", await RawAsync<string?>(null));
        Assert.Equal("7", await RawAsync<int?>(7));
        Assert.Equal("null", await RawAsync<int?>(null));
    }

    [Fact]
    public async Task The_current_culture_does_not_change_numbers()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            Assert.Equal("1.5", await RawAsync(1.5));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public async Task Text_like_values_are_recorded_as_strings()
    {
        Assert.Equal("\"NaN\"", await RawAsync(double.NaN));
        Assert.Equal("\"-Infinity\"", await RawAsync(double.NegativeInfinity));
        Assert.Equal("\"x\"", await RawAsync('x'));
        Assert.Equal("\"6f9619ff-8b86-d011-b42d-00cf4fc964ff\"", await RawAsync(Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff")));
        Assert.Equal("\"1.02:03:04\"", await RawAsync(new TimeSpan(1, 2, 3, 4)));
        Assert.Equal("\"Oncology\"", await RawAsync(Ward.Oncology));
        Assert.Equal("\"AQID\"", await RawAsync(new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public async Task Dates_are_recorded_as_iso_8601_utc()
    {
        Assert.Equal("\"2024-05-01T10:00:00.0000000Z\"", await RawAsync(new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc)));
        Assert.Equal("\"2024-05-01T08:00:00.0000000Z\"", await RawAsync(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.FromHours(2))));
        var local = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Local);
        Assert.Equal("\"" + local.ToUniversalTime().ToString("O") + "\"", await RawAsync(local));
    }

    [Fact]
    public async Task Other_types_are_recorded_as_json()
    {
        var value = (await CaptureAsync(new Visit("B2", 14))).Value;

        Assert.Equal("B2", value.GetProperty("Ward").GetString());
        Assert.Equal(14, value.GetProperty("Room").GetInt32());
    }

    [Fact]
    public async Task The_trails_serializer_options_are_used()
    {
        var value = (await CaptureAsync(new Visit("B2", 14), configure: o => o.ValueSerializerOptions = new JsonSerializerOptions(JsonSerializerOptions.Default) { PropertyNamingPolicy = JsonNamingPolicy.CamelCase })).Value;

        Assert.Equal("B2", value.GetProperty("ward").GetString());
    }

    [Fact]
    public async Task A_self_referencing_argument_is_recorded_as_unserializable_and_the_tool_still_runs()
    {
        var node = new Node();
        node.Next = node;

        var (value, _, ran) = await CaptureAsync(node);

        Assert.True(ran);
        Assert.Equal(typeof(Node).FullName, value.GetProperty("$unserializable").GetString());
        Assert.Equal("System.Text.Json.JsonException", value.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task An_argument_whose_getter_throws_is_recorded_as_unserializable_without_the_getters_message()
    {
        var (value, trail, ran) = await CaptureAsync(new ThrowingGetter());

        Assert.True(ran);
        Assert.Equal(typeof(ThrowingGetter).FullName, value.GetProperty("$unserializable").GetString());
        Assert.Equal("System.InvalidOperationException", value.GetProperty("reason").GetString());
        Assert.All(trail.Appended, e => Assert.DoesNotContain("MRN-9001", TestTrails.Dump(e)));
    }

    [Fact]
    public async Task A_long_string_is_truncated_with_a_marker()
    {
        var value = (await CaptureAsync(new string('a', 50) + "TAIL", configure: o => o.MaxCapturedValueLength = 10)).Value;

        Assert.True(value.GetProperty("$truncated").GetBoolean());
        Assert.Equal(54, value.GetProperty("length").GetInt32());
        Assert.Equal("aaaaaaaaaa", value.GetProperty("prefix").GetString());
    }

    [Fact]
    public async Task A_long_object_is_truncated_with_a_marker_holding_the_start_of_its_json()
    {
        var value = (await CaptureAsync(new Visit(new string('w', 100), 1), configure: o => o.MaxCapturedValueLength = 12)).Value;

        Assert.True(value.GetProperty("$truncated").GetBoolean());
        Assert.Equal("{\"Ward\":\"www", value.GetProperty("prefix").GetString());
    }

    [Fact]
    public async Task A_value_at_the_limit_is_recorded_whole()
    {
        Assert.Equal("\"abcdefghij\"", (await CaptureAsync("abcdefghij", configure: o => o.MaxCapturedValueLength = 10)).Value.GetRawText());
    }
}
