using System.Diagnostics.Metrics;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Invocation;

public sealed class FailurePolicyTests
{
    private sealed class StoreDown() : IOException("disk full");

    private sealed class CollectingSink(int expected = 0) : IAuditAlertSink
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<AuditFailure> Failures { get; } = [];

        /// <summary>Completes once <c>expected</c> failures have arrived.</summary>
        public Task Reached => _reached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public void OnAuditFailure(AuditFailure failure)
        {
            lock (Failures)
            {
                Failures.Add(failure);
                if (Failures.Count >= expected)
                    _reached.TrySetResult();
            }
        }
    }

    [Theory]
    [InlineData(AuditFailurePolicy.FailOpen, DataClass.Restricted, AuditFailurePolicy.FailClosed, AuditFailurePolicy.FailOpen)]
    [InlineData(AuditFailurePolicy.Default, DataClass.Restricted, AuditFailurePolicy.FailOpen, AuditFailurePolicy.FailClosed)]
    [InlineData(AuditFailurePolicy.Default, DataClass.Confidential, AuditFailurePolicy.FailClosed, AuditFailurePolicy.FailClosed)]
    [InlineData(AuditFailurePolicy.Default, DataClass.Confidential, AuditFailurePolicy.Default, AuditFailurePolicy.FailOpen)]
    [InlineData(AuditFailurePolicy.FailClosed, DataClass.Public, AuditFailurePolicy.FailOpen, AuditFailurePolicy.FailClosed)]
    public void The_effective_policy_is_the_tools_then_restricted_then_the_trails_then_fail_open(
        AuditFailurePolicy tool, DataClass classification, AuditFailurePolicy trail, AuditFailurePolicy expected)
    {
        var descriptor = new ToolDescriptor("t", "T", "M", null, AuditAction.ToolInvoked, null, classification, ComplianceDomain.None, tool, [], ToolReturn.Void);

        Assert.Equal(expected, ToolInvocation.ResolvePolicy(descriptor, new AuditTrailOptions { FailurePolicy = trail }));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Fail_closed_the_tool_does_not_run_when_its_invoked_record_cannot_be_made_durable(bool appendThrowsSynchronously)
    {
        var trail = TestTrails.Create(o => o.FailurePolicy = AuditFailurePolicy.FailClosed);
        trail.FailAppendsWith(_ => new StoreDown(), appendThrowsSynchronously);
        var inner = new PatientTools();

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => new AuditedPatientTools(inner, trail).LookupPatientAsync("m", "r"));

        Assert.Equal(0, inner.LookupRuns);
        Assert.Contains("lookup_patient", error.Message);
        Assert.Contains("was not run", error.Message);
        Assert.IsType<StoreDown>(error.InnerException);
    }

    [Fact]
    public void Fail_closed_a_sync_tool_does_not_run_when_its_invoked_record_cannot_be_made_durable()
    {
        var trail = TestTrails.Create();
        trail.FailAppendsWith(_ => new StoreDown());
        var inner = new PatientTools();

        var error = Assert.Throws<AuditTrailException>(() => new AuditedPatientTools(inner, trail).ReadDiagnosis("MRN-1")); // restricted: fail-closed by default

        Assert.Equal(0, inner.ReadDiagnosisRuns);
        Assert.IsType<StoreDown>(error.InnerException);
    }

    [Fact]
    public async Task Fail_closed_the_tool_does_not_start_until_its_invoked_record_is_durable()
    {
        var trail = TestTrails.Create(o => o.FailurePolicy = AuditFailurePolicy.FailClosed);
        var inner = new PatientTools();
        trail.HoldAppends();

        var call = new AuditedPatientTools(inner, trail).LookupPatientAsync("m", "r");

        Assert.Single(trail.Appended); // tool_invoked handed to the trail…
        Assert.Equal(0, inner.LookupRuns); // …but the tool waits for it to be durable
        Assert.False(call.IsCompleted);

        trail.ReleaseAppends();
        Assert.Equal("summary of m", await call);
        Assert.Equal(1, inner.LookupRuns);
    }

    [Fact]
    public async Task Fail_closed_the_result_is_returned_only_after_the_completion_record_is_durable()
    {
        var trail = TestTrails.Create(o => o.FailurePolicy = AuditFailurePolicy.FailClosed);
        var toolRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new PatientTools
        {
            Lookup = (mrn, _) =>
            {
                trail.HoldAppends(); // from here on, appends wait for the gate
                toolRan.SetResult();
                return Task.FromResult("result");
            },
        };

        var call = new AuditedPatientTools(inner, trail).LookupPatientAsync("m", "r");
        await toolRan.Task;

        Assert.Equal(AuditAction.ToolCompleted, trail.Appended[^1].Action);
        Assert.False(call.IsCompleted);

        trail.ReleaseAppends();
        Assert.Equal("result", await call);
        Assert.Equal(2, trail.Records.Count);
    }

    [Fact]
    public async Task Fail_closed_a_result_whose_completion_record_fails_is_withheld()
    {
        var trail = TestTrails.Create(o => o.FailurePolicy = AuditFailurePolicy.FailClosed);
        trail.FailAppendsWith(e => e.Action == AuditAction.ToolCompleted ? new StoreDown() : null);

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => new AuditedPatientTools(new PatientTools(), trail).LookupPatientAsync("m", "r"));

        Assert.Contains("withheld", error.Message);
        Assert.IsType<StoreDown>(error.InnerException);
    }

    [Fact]
    public async Task Fail_closed_when_the_failure_record_fails_the_error_names_the_tools_exception_and_wraps_the_audit_failure()
    {
        var trail = TestTrails.Create(o => o.FailurePolicy = AuditFailurePolicy.FailClosed);
        trail.FailAppendsWith(e => e.Action == AuditAction.ToolFailed ? new StoreDown() : null);
        var inner = new PatientTools { Lookup = (_, _) => throw new TimeoutException("slow") };

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => new AuditedPatientTools(inner, trail).LookupPatientAsync("m", "r"));

        Assert.Contains("System.TimeoutException", error.Message);
        Assert.Contains("lookup_patient", error.Message);
        Assert.IsType<StoreDown>(error.InnerException);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Fail_open_the_tool_runs_and_returns_when_appends_fail_and_each_failure_is_alerted_and_counted(bool appendThrowsSynchronously)
    {
        var sink = new CollectingSink(expected: 2);
        var trail = TestTrails.Create(o =>
        {
            o.FailurePolicy = AuditFailurePolicy.FailOpen;
            o.AlertSink = sink;
        });
        trail.FailAppendsWith(_ => new StoreDown(), appendThrowsSynchronously);
        var toolName = "lookup_patient_" + Guid.NewGuid().ToString("N"); // tags this test's measurements
        var descriptor = WithName(AuditedPatientTools.LookupPatientTool, toolName);
        long failures = 0;
        using var listener = CountFailures(toolName, n => Interlocked.Add(ref failures, n));

        var invocation = ToolInvocation.Start(trail, descriptor);
        invocation.Argument(0, "m");
        invocation.Argument(1, "r");
        await invocation.InvokedAsync();
        await invocation.CompletedAsync("done");
        await sink.Reached;

        Assert.Equal(2, Interlocked.Read(ref failures));
        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], sink.Failures.Select(f => f.Entry.Action).Order());
        Assert.All(sink.Failures, f => Assert.IsType<StoreDown>(f.Exception));
    }

    [Fact]
    public async Task Fail_open_the_generated_wrapper_returns_the_result_although_the_trail_is_down()
    {
        var trail = TestTrails.Create(o => o.AlertSink = new CollectingSink());
        trail.FailAppendsWith(_ => new StoreDown());
        var inner = new PatientTools();

        Assert.Equal("summary of m", await new AuditedPatientTools(inner, trail).LookupPatientAsync("m", "r"));
        Assert.Equal(1, inner.LookupRuns);
    }

    [Fact]
    public async Task Fail_open_the_call_does_not_wait_for_durability()
    {
        var trail = TestTrails.Create();
        trail.HoldAppends();

        var result = await new AuditedPatientTools(new PatientTools(), trail).LookupPatientAsync("m", "r");

        Assert.Equal("summary of m", result);
        Assert.Equal(2, trail.Appended.Count);
        Assert.Empty(trail.Records);
        trail.ReleaseAppends();
        await trail.FlushAsync();
        Assert.Equal(2, trail.Records.Count);
    }

    [Fact]
    public void Fail_open_failures_are_logged_under_the_AuditGen_category()
    {
        var logs = new ListLoggerFactory();
        var trail = TestTrails.Create(o => o.LoggerFactory = logs);
        trail.FailAppendsWith(_ => new StoreDown(), synchronously: true);

        new AuditedPatientTools(new PatientTools(), trail).Add(1, 2);

        Assert.Equal(2, logs.Entries.Count);
        Assert.All(logs.Entries, e =>
        {
            Assert.Equal("AuditGen", e.Category);
            Assert.IsType<StoreDown>(e.Exception);
            Assert.Contains("add", e.Message);
        });
    }

    internal static ToolDescriptor WithName(ToolDescriptor d, string name) =>
        new(name, d.ContainingType, d.MethodName, d.Description, d.Action, d.ResourceType, d.Classification, d.Domains, d.FailurePolicy, d.Parameters, d.Returns);

    private static MeterListener CountFailures(string toolName, Action<long> add)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "AuditGen" && instrument.Name == "auditgen.append.failures")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "gen_ai.tool.name" && (string?)tag.Value == toolName)
                    add(value);
            }
        });
        listener.Start();
        return listener;
    }
}
