using System.Diagnostics;
using AuditGen.Tests.Invocation;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class ToolCallSpanTests
{
    private static Activity StartTurn() => new Activity("agent-turn").SetIdFormat(ActivityIdFormat.W3C).Start();

    private static Activity ToolSpan(TelemetryCapture capture, Activity turn) =>
        Assert.Single(capture.Spans, s => s.TraceId == turn.TraceId && s.OperationName.StartsWith("execute_tool ", StringComparison.Ordinal));

    [Fact]
    public async Task A_tool_call_is_an_internal_execute_tool_span_with_the_gen_ai_tags()
    {
        using var capture = new TelemetryCapture();
        var trail = TestTrails.Create();
        var tools = new AuditedPatientTools(new PatientTools(), trail);
        using var turn = StartTurn();

        using (AuditContext.Begin(conversationId: "conv-17", userId: "dr.grey", agentName: "triage"))
            await tools.LookupPatientAsync("MRN-0042", "follow-up");

        var span = ToolSpan(capture, turn);
        Assert.Equal("execute_tool lookup_patient", span.DisplayName);
        Assert.Equal(ActivityKind.Internal, span.Kind);
        Assert.Equal(turn.SpanId, span.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal("execute_tool", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("lookup_patient", span.GetTagItem("gen_ai.tool.name"));
        Assert.Equal("function", span.GetTagItem("gen_ai.tool.type"));
        Assert.Equal("conv-17", span.GetTagItem("gen_ai.conversation.id"));
        Assert.Equal("triage", span.GetTagItem("gen_ai.agent.name"));
        Assert.Null(span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task The_calls_records_carry_the_spans_trace_and_span_ids_and_its_call_id()
    {
        using var capture = new TelemetryCapture();
        var trail = TestTrails.Create();
        using var turn = StartTurn();

        await new AuditedPatientTools(new PatientTools(), trail).LookupPatientAsync("MRN-0042", "follow-up");

        var span = ToolSpan(capture, turn);
        Assert.Equal(2, trail.Appended.Count);
        Assert.All(trail.Appended, e =>
        {
            Assert.Equal(span.TraceId.ToHexString(), e.TraceId);
            Assert.Equal(span.SpanId.ToHexString(), e.SpanId);
            Assert.Equal(span.GetTagItem("gen_ai.tool.call.id"), TestTrails.Details(e).GetProperty("callId").GetString());
        });
    }

    [Fact]
    public async Task The_models_tool_call_id_is_the_spans_call_id_when_there_is_one()
    {
        using var capture = new TelemetryCapture();
        var trail = TestTrails.Create();
        using var turn = StartTurn();

        using (AuditContext.BeginToolCall("call_7QnX"))
            await new AuditedPatientTools(new PatientTools(), trail).LookupPatientAsync("MRN-0042", "follow-up");

        Assert.Equal("call_7QnX", ToolSpan(capture, turn).GetTagItem("gen_ai.tool.call.id"));
        Assert.All(trail.Appended, e => Assert.Equal("call_7QnX", TestTrails.Details(e).GetProperty("toolCallId").GetString()));
    }

    [Fact]
    public async Task The_tool_runs_inside_its_span_and_the_callers_activity_is_current_again_afterwards()
    {
        using var capture = new TelemetryCapture();
        Activity? inside = null;
        var inner = new PatientTools { Lookup = (mrn, _) => { inside = Activity.Current; return Task.FromResult(mrn); } };
        using var turn = StartTurn();

        await new AuditedPatientTools(inner, TestTrails.Create()).LookupPatientAsync("MRN-0042", "x");

        Assert.Same(ToolSpan(capture, turn), inside);
        Assert.Same(turn, Activity.Current);
    }

    [Fact]
    public void A_synchronous_tool_call_stops_its_span_and_restores_the_callers_activity()
    {
        using var capture = new TelemetryCapture();
        using var turn = StartTurn();

        new AuditedPatientTools(new PatientTools(), TestTrails.Create()).ReadDiagnosis("MRN-0042");

        var span = ToolSpan(capture, turn);
        Assert.Equal("read_diagnosis", span.GetTagItem("gen_ai.tool.name"));
        Assert.Same(turn, Activity.Current);
    }

    [Fact]
    public async Task A_failing_tool_ends_its_span_in_error_with_the_exception_type_and_no_message()
    {
        using var capture = new TelemetryCapture();
        var inner = new PatientTools { Lookup = (_, _) => Task.FromException<string>(new KeyNotFoundException("no patient MRN-0042")) };
        using var turn = StartTurn();

        await Assert.ThrowsAsync<KeyNotFoundException>(() => new AuditedPatientTools(inner, TestTrails.Create()).LookupPatientAsync("MRN-0042", "x"));

        var span = ToolSpan(capture, turn);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Null(span.StatusDescription);
        Assert.Equal("System.Collections.Generic.KeyNotFoundException", span.GetTagItem("error.type"));
        Assert.DoesNotContain(span.TagObjects, t => t.Value?.ToString()?.Contains("MRN-0042") == true);
        Assert.Empty(span.Events);
    }

    [Fact]
    public async Task A_tool_that_is_not_run_because_its_invoked_record_failed_ends_its_span_in_error()
    {
        using var capture = new TelemetryCapture();
        var trail = TestTrails.Create(o => o.FailurePolicy = AuditFailurePolicy.FailClosed);
        trail.FailAppendsWith(_ => new IOException("disk full"));
        var inner = new PatientTools();
        using var turn = StartTurn();

        await Assert.ThrowsAsync<AuditTrailException>(() => new AuditedPatientTools(inner, trail).LookupPatientAsync("MRN-0042", "x"));

        Assert.Equal(0, inner.LookupRuns);
        var span = ToolSpan(capture, turn);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(AuditTrailException).FullName, span.GetTagItem("error.type"));
        Assert.Same(turn, Activity.Current);
    }

    [Fact]
    public void A_synchronous_tool_that_is_not_run_because_its_invoked_record_failed_restores_the_callers_activity()
    {
        using var capture = new TelemetryCapture();
        var trail = TestTrails.Create();
        trail.FailAppendsWith(_ => new IOException("disk full"));
        using var turn = StartTurn();

        Assert.Throws<AuditTrailException>(() => new AuditedPatientTools(new PatientTools(), trail).ReadDiagnosis("MRN-0042"));

        Assert.Equal(ActivityStatusCode.Error, ToolSpan(capture, turn).Status);
        Assert.Same(turn, Activity.Current);
    }

    [Fact]
    public async Task A_result_withheld_because_its_completion_record_failed_ends_the_span_in_error()
    {
        using var capture = new TelemetryCapture();
        var trail = TestTrails.Create(o => o.FailurePolicy = AuditFailurePolicy.FailClosed);
        trail.FailAppendsWith(e => e.Action == AuditAction.ToolCompleted ? new IOException("disk full") : null);
        using var turn = StartTurn();

        await Assert.ThrowsAsync<AuditTrailException>(() => new AuditedPatientTools(new PatientTools(), trail).LookupPatientAsync("MRN-0042", "x"));

        var span = ToolSpan(capture, turn);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(AuditTrailException).FullName, span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task Without_a_listener_no_span_is_made_and_the_tool_sees_the_callers_activity()
    {
        Activity? inside = null;
        var inner = new PatientTools { Lookup = (mrn, _) => { inside = Activity.Current; return Task.FromResult(mrn); } };
        var trail = TestTrails.Create();
        using var turn = StartTurn();

        await new AuditedPatientTools(inner, trail).LookupPatientAsync("MRN-0042", "x");

        Assert.Same(turn, inside);
        Assert.All(trail.Appended, e => Assert.Equal(turn.SpanId.ToHexString(), e.SpanId));
    }
}
