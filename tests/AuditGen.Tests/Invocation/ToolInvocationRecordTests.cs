using System.Diagnostics;
using System.Text.Json;
using AuditGen.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AuditGen.Tests.Invocation;

// Two tests depend on no AuditGen activity listener being attached (span ids come from the caller's activity then).
[Collection(TelemetryCollection.Name)]
public sealed class ToolInvocationRecordTests
{
    [Fact]
    public async Task An_async_call_records_tool_invoked_then_tool_completed_sharing_one_call_id()
    {
        var trail = TestTrails.Create();
        var tools = new AuditedPatientTools(new PatientTools(), trail);

        var result = await tools.LookupPatientAsync("MRN-0042", "follow-up");

        Assert.Equal("summary of MRN-0042", result);
        var entries = trail.Appended;
        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], entries.Select(e => e.Action));
        var invoked = TestTrails.Details(entries[0]);
        var completed = TestTrails.Details(entries[1]);
        Assert.True(Guid.TryParse(invoked.GetProperty("callId").GetString(), out _));
        Assert.Equal(invoked.GetProperty("callId").GetString(), completed.GetProperty("callId").GetString());
        Assert.Equal("follow-up", invoked.GetProperty("arguments").GetProperty("reason").GetString());
        Assert.StartsWith("hmac:1:", invoked.GetProperty("arguments").GetProperty("mrn").GetString());
        Assert.Equal("data_accessed", invoked.GetProperty("dataAction").GetString());
        Assert.Equal("summary of MRN-0042", completed.GetProperty("result").GetString()); // declared Internal: as is
        Assert.All(entries, e =>
        {
            Assert.Equal(AuditOutcome.Success, e.Outcome);
            Assert.Equal("lookup_patient", e.ToolName);
            Assert.Equal("Patient", e.ResourceType);
            Assert.Equal(DataClass.Confidential, e.Classification);
            Assert.Equal(ComplianceDomain.Hipaa | ComplianceDomain.Gdpr, e.Domains);
            Assert.Null(e.Error);
        });
        Assert.Null(entries[0].DurationMicros);
        Assert.NotNull(entries[1].DurationMicros);
    }

    [Fact]
    public async Task A_failing_async_call_records_tool_failed_with_the_exception_type_and_rethrows_the_original()
    {
        var trail = TestTrails.Create();
        var boom = new InvalidOperationException("database unavailable");
        var tools = new AuditedPatientTools(new PatientTools { Lookup = (_, _) => Task.FromException<string>(boom) }, trail);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => tools.LookupPatientAsync("MRN-0042", "x"));

        Assert.Same(boom, thrown);
        var failed = trail.Appended[^1];
        Assert.Equal(AuditAction.ToolFailed, failed.Action);
        Assert.Equal(AuditOutcome.Failure, failed.Outcome);
        Assert.Equal(new AuditError("System.InvalidOperationException", "database unavailable"), failed.Error);
        Assert.NotNull(failed.DurationMicros);
        var details = TestTrails.Details(failed);
        Assert.Equal(["callId"], details.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void A_sync_call_records_invoked_and_completed()
    {
        var trail = TestTrails.Create();
        var tools = new AuditedPatientTools(new PatientTools(), trail);

        Assert.Equal(5, tools.Add(2, 3));

        var entries = trail.Appended;
        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], entries.Select(e => e.Action));
        var arguments = TestTrails.Details(entries[0]).GetProperty("arguments");
        Assert.Equal(2, arguments.GetProperty("a").GetInt32());
        Assert.Equal(3, arguments.GetProperty("b").GetInt32());
        Assert.False(TestTrails.Details(entries[0]).TryGetProperty("dataAction", out _));
        Assert.Equal(5, TestTrails.Details(entries[1]).GetProperty("result").GetInt32());
    }

    [Fact]
    public void A_failing_sync_call_records_tool_failed()
    {
        var trail = TestTrails.Create();
        var tools = new AuditedPatientTools(new PatientTools { AddImpl = (_, _) => throw new OverflowException("too big") }, trail);

        Assert.Throws<OverflowException>(() => tools.Add(1, 2));

        var failed = trail.Appended[^1];
        Assert.Equal(AuditAction.ToolFailed, failed.Action);
        Assert.Equal("System.OverflowException", failed.Error!.Type);
        Assert.Equal("too big", failed.Error.Message);
    }

    [Fact]
    public async Task A_tool_without_a_result_records_completion_without_a_result_property()
    {
        var trail = TestTrails.Create();
        var tools = new AuditedPatientTools(new PatientTools(), trail);

        await tools.UpdateContactAsync(new ContactUpdate("P-1", "a@b.example", "555-123-4567", "moved"));

        var completed = trail.Appended[^1];
        Assert.Equal(AuditAction.ToolCompleted, completed.Action);
        Assert.False(TestTrails.Details(completed).TryGetProperty("result", out _));
        Assert.Equal("data_modified", TestTrails.Details(trail.Appended[0]).GetProperty("dataAction").GetString());
    }

    [Fact]
    public async Task Duration_is_measured_with_the_trails_time_provider()
    {
        var time = new FakeTimeProvider();
        var trail = TestTrails.Create(o => o.TimeProvider = time);
        var tools = new AuditedPatientTools(new PatientTools
        {
            Lookup = (mrn, _) =>
            {
                time.Advance(TimeSpan.FromMilliseconds(12.5));
                return Task.FromResult("ok");
            },
        }, trail);

        await tools.LookupPatientAsync("m", "r");

        Assert.Equal(12_500, trail.Appended[^1].DurationMicros);
    }

    [Fact]
    public async Task The_ambient_audit_context_lands_in_every_record()
    {
        var trail = TestTrails.Create();
        var tools = new AuditedPatientTools(new PatientTools(), trail);

        using (AuditContext.Begin(conversationId: "c-42", userId: "dr.house", agentName: "triage"))
            await tools.LookupPatientAsync("m", "r");

        Assert.All(trail.Appended, e =>
        {
            Assert.Equal("c-42", e.ConversationId);
            Assert.Equal("dr.house", e.UserId);
            Assert.Equal("triage", e.AgentName);
            Assert.Equal("triage", e.ActorId);
            Assert.Equal(ActorType.Agent, e.ActorType);
        });
    }

    [Theory]
    [InlineData("explicit", "agent", "user", "explicit")]
    [InlineData(null, "agent", "user", "agent")]
    [InlineData(null, null, "user", "user")]
    public void The_actor_id_falls_back_from_actor_to_agent_to_user(string? actorId, string? agentName, string? userId, string expected)
    {
        var trail = TestTrails.Create();
        var tools = new AuditedPatientTools(new PatientTools(), trail);

        using (AuditContext.Begin(new AuditContext { ActorId = actorId, AgentName = agentName, UserId = userId, ActorType = ActorType.User }))
            tools.Add(1, 1);

        Assert.All(trail.Appended, e =>
        {
            Assert.Equal(expected, e.ActorId);
            Assert.Equal(ActorType.User, e.ActorType);
        });
    }

    [Fact]
    public async Task Concurrent_flows_keep_their_own_context()
    {
        var trail = TestTrails.Create();
        var bothInside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        var tools = new AuditedPatientTools(new PatientTools
        {
            Lookup = async (mrn, _) =>
            {
                if (Interlocked.Increment(ref arrived) == 2)
                    bothInside.SetResult();
                await bothInside.Task; // both calls are in flight at once
                return mrn;
            },
        }, trail);

        async Task Conversation(string id)
        {
            using (AuditContext.Begin(conversationId: id, userId: "user-" + id))
                await tools.LookupPatientAsync("mrn-" + id, "r");
        }

        await Task.WhenAll(Task.Run(() => Conversation("a")), Task.Run(() => Conversation("b")));

        var entries = trail.Appended;
        Assert.Equal(4, entries.Count);
        foreach (var entry in entries)
        {
            var details = TestTrails.Details(entry);
            var callId = details.GetProperty("callId").GetString();
            var pair = entries.Where(e => TestTrails.Details(e).GetProperty("callId").GetString() == callId).ToArray();
            Assert.Equal(2, pair.Length);
            Assert.Single(pair.Select(e => e.ConversationId).Distinct());
            Assert.Equal("user-" + entry.ConversationId, entry.UserId);
        }

        var completed = entries.Where(e => e.Action == AuditAction.ToolCompleted).ToArray();
        Assert.All(completed, e => Assert.Equal("mrn-" + e.ConversationId, TestTrails.Details(e).GetProperty("result").GetString()));
    }

    [Fact]
    public async Task Without_a_telemetry_listener_trace_and_span_ids_come_from_the_current_activity()
    {
        var trail = TestTrails.Create();
        var tools = new AuditedPatientTools(new PatientTools(), trail);
        using var activity = new Activity("agent-turn").SetIdFormat(ActivityIdFormat.W3C).Start();

        await tools.LookupPatientAsync("m", "r");

        Assert.All(trail.Appended, e =>
        {
            Assert.Equal(activity.TraceId.ToHexString(), e.TraceId);
            Assert.Equal(activity.SpanId.ToHexString(), e.SpanId);
            Assert.Equal(32, e.TraceId!.Length);
            Assert.Equal(16, e.SpanId!.Length);
        });
    }

    [Fact]
    public void Without_an_activity_trace_and_span_ids_are_absent()
    {
        Activity.Current = null;
        var trail = TestTrails.Create();

        new AuditedPatientTools(new PatientTools(), trail).Add(1, 2);

        Assert.All(trail.Appended, e => Assert.Null(e.TraceId));
    }

    [Fact]
    public async Task Object_arguments_are_recorded_property_by_property_with_their_own_classifications()
    {
        var trail = TestTrails.Create();
        var tools = new AuditedPatientTools(new PatientTools(), trail);

        await tools.UpdateContactAsync(new ContactUpdate("P-77", "jane@example.com", "+1 555 867 5309", "prefers mornings"));

        var update = TestTrails.Details(trail.Appended[0]).GetProperty("arguments").GetProperty("update");
        Assert.StartsWith("hmac:1:", update.GetProperty("PatientId").GetString());
        Assert.Equal("[erased]", update.GetProperty("Email").GetString());
        Assert.Equal("***********5309", update.GetProperty("Phone").GetString());
        Assert.Equal("prefers mornings", update.GetProperty("Note").GetString());
    }

    [Fact]
    public async Task Subject_id_is_the_redacted_value_of_the_subject_parameter()
    {
        var trail = TestTrails.Create();
        var tools = new AuditedPatientTools(new PatientTools(), trail);

        await tools.LookupPatientAsync("MRN-0042", "r");

        var mrnArgument = TestTrails.Details(trail.Appended[0]).GetProperty("arguments").GetProperty("mrn").GetString();
        Assert.All(trail.Appended, e =>
        {
            Assert.Equal(mrnArgument, e.SubjectId);
            Assert.StartsWith("hmac:1:", e.SubjectId);
            Assert.Null(e.ResourceId);
        });
    }

    [Fact]
    public void Resource_id_is_the_redacted_value_of_the_resource_parameter()
    {
        var trail = TestTrails.Create();

        new AuditedPatientTools(new PatientTools(), trail).ReadDiagnosis("MRN-0042");

        Assert.All(trail.Appended, e => Assert.Equal("[erased]", e.ResourceId));
    }

    [Fact]
    public async Task An_object_property_can_carry_the_subject_id()
    {
        var trail = TestTrails.Create();

        await new AuditedPatientTools(new PatientTools(), trail).UpdateContactAsync(new ContactUpdate("P-77", "e@x.example", "1", "n"));

        var patientId = TestTrails.Details(trail.Appended[0]).GetProperty("arguments").GetProperty("update").GetProperty("PatientId").GetString();
        Assert.All(trail.Appended, e => Assert.Equal(patientId, e.SubjectId));
    }

    [Fact]
    public void Calling_out_of_order_is_refused()
    {
        var trail = TestTrails.Create();
        var invocation = ToolInvocation.Start(trail, AuditedPatientTools.AddTool);
        invocation.Argument(0, 1);
        invocation.Argument(1, 2);

        Assert.Throws<InvalidOperationException>(() => invocation.Completed(3));
        invocation.Invoked();
        Assert.Throws<InvalidOperationException>(() => invocation.Argument(0, 1));
        invocation.Completed(3);
        Assert.Throws<InvalidOperationException>(() => invocation.Failed(new Exception()));
    }
}
