using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using AuditGen;

namespace HealthcareAgent.Tests;

/// <summary>
/// The sample's main job with a real <see cref="ActivityListener"/> and <see cref="MeterListener"/> on AuditGen's source
/// and meter: every tool call is a span its records point to, and no tag of any span or measurement holds a
/// patient's name, record number or any other restricted value of the conversations.
/// </summary>
public sealed partial class TelemetryPrivacyTests : IAsyncLifetime
{
    private static readonly string[] RestrictedArguments = ["atorvastatin", "lisinopril", "Dyspnoea with raised BNP", "118/76"];

    private readonly TempFolder _folder = new();
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(string Instrument, KeyValuePair<string, object?>[] Tags)> _measurements = new();
    private string _runId = "";
    private List<AuditRecord> _records = [];

    public async Task InitializeAsync()
    {
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "AuditGen",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(activities);
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "AuditGen")
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, _, tags, _) => _measurements.Enqueue((instrument.Name, tags.ToArray())));
        meters.SetMeasurementEventCallback<double>((instrument, _, tags, _) => _measurements.Enqueue((instrument.Name, tags.ToArray())));
        meters.Start();

        using var output = new StringWriter();
        var trailPath = _folder.File("audit.db");
        var exitCode = await HealthcareAgentApp.RunAsync(trailPath, output);
        Assert.Equal(HealthcareAgentApp.Success, exitCode);
        meters.RecordObservableInstruments();
        _runId = RunLine().Match(output.ToString()).Groups[1].Value;

        await using var trail = AuditTrail.OpenLiteDb(trailPath, new AuditTrailOptions { ReadOnly = true });
        await foreach (var record in trail.QueryAsync(new AuditQuery()))
            _records.Add(record);
    }

    public Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [GeneratedRegex(@"^Run (\w+)$", RegexOptions.Multiline)]
    private static partial Regex RunLine();

    private List<Activity> ThisRunsToolSpans() =>
        _spans.Where(s => s.GetTagItem("gen_ai.conversation.id") is string c && c.EndsWith("-" + _runId, StringComparison.Ordinal)).ToList();

    [Fact]
    public void Every_tool_call_of_the_run_is_an_execute_tool_span()
    {
        Assert.NotEmpty(_runId);
        var spans = ThisRunsToolSpans();
        var toolCalls = _records.Count(r => r.Action == AuditAction.ToolInvoked);

        Assert.Equal(8, toolCalls);
        Assert.Equal(toolCalls, spans.Count);
        Assert.All(spans, s => Assert.Equal("execute_tool " + s.GetTagItem("gen_ai.tool.name"), s.DisplayName));
        Assert.Single(spans, s => s.Status == ActivityStatusCode.Error && (string?)s.GetTagItem("error.type") == typeof(KeyNotFoundException).FullName);
    }

    [Fact]
    public void Every_tool_record_leads_to_its_span_and_back()
    {
        var spans = ThisRunsToolSpans().ToDictionary(s => (s.TraceId.ToHexString(), s.SpanId.ToHexString()));

        var toolRecords = _records.Where(r => r.ToolName is not null).ToList();
        Assert.NotEmpty(toolRecords);
        Assert.All(toolRecords, r =>
        {
            var span = spans[(r.TraceId!, r.SpanId!)];
            Assert.Equal(r.ToolName, span.GetTagItem("gen_ai.tool.name"));
            Assert.Equal(r.ConversationId, span.GetTagItem("gen_ai.conversation.id"));
        });
        Assert.All(spans.Values, s => Assert.Equal(2, toolRecords.Count(r => r.SpanId == s.SpanId.ToHexString())));
    }

    [Fact]
    public void No_span_name_tag_event_or_status_holds_a_restricted_value()
    {
        Assert.NotEmpty(_spans);
        foreach (var span in _spans)
        {
            AssertClean($"span {span.DisplayName} name", span.DisplayName);
            AssertClean($"span {span.DisplayName} operation", span.OperationName);
            AssertClean($"span {span.DisplayName} status", span.StatusDescription);
            foreach (var (key, value) in span.TagObjects)
                AssertClean($"span {span.DisplayName} tag {key}", value?.ToString());
            foreach (var (key, value) in span.Baggage)
                AssertClean($"span {span.DisplayName} baggage {key}", value);
            foreach (var e in span.Events)
            {
                AssertClean($"span {span.DisplayName} event", e.Name);
                foreach (var (key, value) in e.Tags)
                    AssertClean($"span {span.DisplayName} event tag {key}", value?.ToString());
            }
        }
    }

    [Fact]
    public void No_measurement_tag_holds_a_restricted_value()
    {
        var instruments = _measurements.Select(m => m.Instrument).ToHashSet();
        Assert.Contains("gen_ai.execute_tool.duration", instruments);
        Assert.Contains("auditgen.records.appended", instruments);
        Assert.Contains("auditgen.append.duration", instruments);
        foreach (var (instrument, tags) in _measurements)
            foreach (var (key, value) in tags)
                AssertClean($"{instrument} tag {key}", value?.ToString());
    }

    private static void AssertClean(string where, string? text)
    {
        if (string.IsNullOrEmpty(text))
            return;
        foreach (var value in DemoPatients.RestrictedValues.Concat(RestrictedArguments))
            Assert.False(text.Contains(value, StringComparison.OrdinalIgnoreCase), $"{where} holds the restricted value '{value}': {text}");
    }
}
