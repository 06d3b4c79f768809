using AuditGen.Tests.Invocation;
using AuditGen.Tests.Support;
using LiteDB;

namespace AuditGen.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task Each_tool_call_records_its_duration_in_seconds_tagged_with_the_tool()
    {
        using var capture = new TelemetryCapture(spans: false);

        await new AuditedPatientTools(new PatientTools(), TestTrails.Create()).LookupPatientAsync("MRN-0042", "x");

        var duration = Assert.Single(capture.Named("gen_ai.execute_tool.duration"));
        Assert.Equal("lookup_patient", duration.Tag("gen_ai.tool.name"));
        Assert.Equal("execute_tool", duration.Tag("gen_ai.operation.name"));
        Assert.Null(duration.Tag("error.type"));
        Assert.InRange(duration.Value, 0, 60);
    }

    [Fact]
    public void The_duration_of_a_failed_call_carries_the_error_type()
    {
        using var capture = new TelemetryCapture(spans: false);
        var inner = new PatientTools { Diagnosis = _ => throw new TimeoutException("slow") };

        Assert.Throws<TimeoutException>(() => new AuditedPatientTools(inner, TestTrails.Create()).ReadDiagnosis("MRN-0042"));

        var duration = Assert.Single(capture.Named("gen_ai.execute_tool.duration"));
        Assert.Equal("System.TimeoutException", duration.Tag("error.type"));
    }

    [Fact]
    public async Task A_durable_trail_counts_appended_records_and_measures_each_append()
    {
        using var folder = new TrailFolder();
        using var capture = new TelemetryCapture(spans: false);
        await using (var trail = folder.Open())
        {
            for (var i = 0; i < 5; i++)
                await trail.AppendAsync(Entries.ToolCall(i));
        }

        Assert.Equal(5, capture.Named("auditgen.records.appended").Sum(m => m.Value));
        var appends = capture.Named("auditgen.append.duration");
        Assert.Equal(5, appends.Count);
        Assert.All(appends, m => Assert.True(m.Value > 0));
    }

    [Fact]
    public async Task The_queue_depth_gauge_reports_each_open_trail_until_it_is_closed()
    {
        using var folder = new TrailFolder();
        using var capture = new TelemetryCapture(spans: false);
        var trail = folder.Open();
        await trail.AppendAsync(Entries.ToolCall(0));

        capture.Observe();
        var depth = Assert.Single(capture.Named("auditgen.queue.depth"), m => (string?)m.Tag("auditgen.trail") == folder.JournalPath);
        Assert.Equal(0, depth.Value);

        await trail.DisposeAsync();
        var before = capture.Named("auditgen.queue.depth").Count;
        capture.Observe();
        Assert.DoesNotContain(capture.Named("auditgen.queue.depth").Skip(before), m => (string?)m.Tag("auditgen.trail") == folder.JournalPath);
    }

    [Fact]
    public async Task A_verification_that_finds_a_broken_chain_is_counted_with_its_failure_kind()
    {
        using var folder = new TrailFolder();
        await TrailFixtures.WriteAndCloseAsync(folder, 3);
        LiteDbSurgery.Edit(folder.DbPath, records =>
        {
            var document = records.FindById(1);
            document["classification"] = "public";
            records.Update(document);
        });
        using var capture = new TelemetryCapture(spans: false);

        await using var trail = folder.Open(readOnly: true);
        var result = await trail.VerifyAsync();

        Assert.False(result.IsValid);
        var failure = Assert.Single(capture.Named("auditgen.verification.failures"));
        Assert.Equal(1, failure.Value);
        Assert.Equal("hash_mismatch", failure.Tag("auditgen.verification.failure"));
    }

    [Fact]
    public async Task A_valid_verification_is_not_counted_as_a_failure()
    {
        using var folder = new TrailFolder();
        await TrailFixtures.WriteAndCloseAsync(folder, 3);
        using var capture = new TelemetryCapture(spans: false);

        await using var trail = folder.Open(readOnly: true);
        Assert.True((await trail.VerifyAsync()).IsValid);

        Assert.Empty(capture.Named("auditgen.verification.failures"));
    }
}
