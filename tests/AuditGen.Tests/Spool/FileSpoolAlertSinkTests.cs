using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AuditGen.Tests.Invocation;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Spool;

public sealed class FileSpoolAlertSinkTests
{
    private static readonly string[] LineMembers = ["spoolId", "failedAt", "reason", "entry"];

    private static readonly string[] EntryMembers =
    [
        "action", "actorId", "actorType", "agentName", "classification", "conversationId", "cost", "details", "domains",
        "durationMicros", "error", "model", "outcome", "resourceId", "resourceType", "sealed", "spanId", "subjectId",
        "tokensIn", "tokensOut", "toolName", "traceId", "userId",
    ];

    [Fact]
    public async Task A_fail_open_failure_lands_in_the_spool_as_the_redacted_entry_and_nothing_else()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        using var sink = new FileSpoolAlertSink(spoolPath, timeProvider: folder.Time);
        var trail = TestTrails.Create(o => o.AlertSink = sink); // update_contact is fail-open
        trail.FailAppendsWith(_ => new StoreDown(), synchronously: true);
        var inner = new PatientTools { UpdateContact = u => throw new ArgumentException($"cannot reach {u.Email} at {u.Phone} for {u.PatientId}") };
        var update = new ContactUpdate("PID-5521", "jane.doe@example.com", "+44 20 7946 0958", "note");

        await Assert.ThrowsAsync<ArgumentException>(() => new AuditedPatientTools(inner, trail).UpdateContactAsync(update));

        var text = SpoolFiles.ReadShared(spoolPath);
        var lines = SpoolFiles.Lines(spoolPath);
        var withoutRandomIds = lines.Aggregate(text, (t, l) => t.Replace(l.GetProperty("spoolId").GetString()!, "", StringComparison.Ordinal));
        foreach (var raw in new[] { "PID-5521", "5521", "jane.doe", "example.com", "7946" })
            Assert.DoesNotContain(raw, withoutRandomIds);

        Assert.Equal(2, lines.Count); // tool_invoked and tool_failed, one line each
        Assert.EndsWith("\n", text);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var appended = trail.Appended[i];
            Assert.Equal(LineMembers, line.EnumerateObject().Select(p => p.Name));
            Assert.True(Guid.TryParseExact(line.GetProperty("spoolId").GetString(), "D", out _));
            Assert.Equal("2025-03-14T09:26:53.5897930Z", line.GetProperty("failedAt").GetString());
            Assert.Equal($"{typeof(StoreDown).FullName}: disk full", line.GetProperty("reason").GetString());

            var entry = line.GetProperty("entry");
            Assert.Equal(EntryMembers, entry.EnumerateObject().Select(p => p.Name));
            Assert.Equal(appended.Action.ToWireName(), entry.GetProperty("action").GetString());
            Assert.Equal(appended.SubjectId, entry.GetProperty("subjectId").GetString());
            Assert.Equal("restricted", entry.GetProperty("classification").GetString());
            Assert.Equal(["gdpr"], entry.GetProperty("domains").EnumerateArray().Select(d => d.GetString()));
            Assert.True(JsonElement.DeepEquals(TestTrails.Details(appended), entry.GetProperty("details")));
        }

        var failed = lines[1].GetProperty("entry").GetProperty("error");
        Assert.Equal("System.ArgumentException", failed.GetProperty("type").GetString());
        Assert.Equal("cannot reach [redacted:update.Email] at [redacted:update.Phone] for [redacted:update.PatientId]", failed.GetProperty("message").GetString());
    }

    [Fact]
    public void Every_entry_field_is_written_in_its_wire_form()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        using var sink = new FileSpoolAlertSink(spoolPath, timeProvider: folder.Time);
        var entry = new AuditEntry
        {
            Action = AuditAction.AgentResponseGenerated,
            ActorId = "a", ActorType = ActorType.System, ConversationId = "c", UserId = "u", SubjectId = "s", AgentName = "n",
            ToolName = "t", ResourceType = "rt", ResourceId = "ri", Classification = DataClass.Confidential,
            Domains = ComplianceDomain.Hipaa | ComplianceDomain.EuAiAct, Outcome = AuditOutcome.Denied, DurationMicros = 42,
            Details = """{"b":[1,2],"a":{"x":"ü"}}""", Error = new AuditError("E", "m"), Model = "gpt", TokensIn = 1, TokensOut = 2,
            Cost = 0.0125m, TraceId = "tr", SpanId = "sp", Sealed = "c2VhbGVk",
        };

        sink.OnAuditFailure(new AuditFailure(entry, new StoreDown()));

        var e = Assert.Single(SpoolFiles.Lines(spoolPath)).GetProperty("entry");
        Assert.Equal("agent_response_generated", e.GetProperty("action").GetString());
        Assert.Equal("system", e.GetProperty("actorType").GetString());
        Assert.Equal("confidential", e.GetProperty("classification").GetString());
        Assert.Equal("denied", e.GetProperty("outcome").GetString());
        Assert.Equal(["hipaa", "eu_ai_act"], e.GetProperty("domains").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(JsonValueKind.String, e.GetProperty("cost").ValueKind);
        Assert.Equal("0.0125", e.GetProperty("cost").GetString());
        Assert.Equal(42, e.GetProperty("durationMicros").GetInt64());
        Assert.Equal(JsonValueKind.Object, e.GetProperty("details").ValueKind);
        Assert.Equal("ü", e.GetProperty("details").GetProperty("a").GetProperty("x").GetString());
        Assert.Equal("E", e.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("m", e.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("c2VhbGVk", e.GetProperty("sealed").GetString());
        Assert.Equal(2, e.GetProperty("tokensOut").GetInt64());
    }

    [Fact]
    public void Unset_fields_are_written_as_null_and_details_that_are_not_an_object_are_kept_as_a_string()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        using var sink = new FileSpoolAlertSink(spoolPath, timeProvider: folder.Time);

        sink.OnAuditFailure(new AuditFailure(new AuditEntry { Action = AuditAction.Error, Details = "not json {" }, new StoreDown()));

        var e = Assert.Single(SpoolFiles.Lines(spoolPath)).GetProperty("entry");
        Assert.Equal("not json {", e.GetProperty("details").GetString());
        foreach (var name in new[] { "actorId", "cost", "durationMicros", "error", "tokensIn", "userId", "sealed" })
            Assert.Equal(JsonValueKind.Null, e.GetProperty(name).ValueKind);
        Assert.Empty(e.GetProperty("domains").EnumerateArray());
    }

    [Fact]
    public async Task Concurrent_failures_from_many_threads_produce_one_whole_line_each()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        using var sink = new FileSpoolAlertSink(spoolPath, timeProvider: folder.Time);
        const int threads = 8, perThread = 50;
        using var start = new Barrier(threads);

        await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < perThread; i++)
                sink.OnAuditFailure(new AuditFailure(SpoolFiles.Entry(t * perThread + i), new StoreDown()));
        }, TaskCreationOptions.LongRunning)));

        var text = SpoolFiles.ReadShared(spoolPath);
        var lines = text.Split('\n');
        Assert.Equal("", lines[^1]); // ends with a newline, no partial line
        var parsed = lines[..^1].Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(threads * perThread, parsed.Count);
        Assert.Equal(parsed.Count, parsed.Select(l => l.GetProperty("spoolId").GetString()).Distinct().Count());
        Assert.Equal(
            Enumerable.Range(0, threads * perThread),
            parsed.Select(l => l.GetProperty("entry").GetProperty("details").GetProperty("n").GetInt32()).Order());
    }

    [Fact]
    public void The_next_sink_gets_every_failure_unchanged_and_only_after_it_is_spooled()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        var linesWhenForwarded = new List<int>();
        var next = new CollectingSink(_ => linesWhenForwarded.Add(SpoolFiles.Lines(spoolPath).Count));
        using var sink = new FileSpoolAlertSink(spoolPath, next, folder.Time);
        var failures = Enumerable.Range(0, 3).Select(i => new AuditFailure(SpoolFiles.Entry(i), new StoreDown())).ToArray();

        foreach (var failure in failures)
            sink.OnAuditFailure(failure);

        Assert.Equal(failures, next.Failures); // the same instances, in order: the original exception is untouched
        Assert.Equal([1, 2, 3], linesWhenForwarded);
    }

    [Fact]
    public void A_spool_whose_directory_does_not_exist_forwards_the_failure_to_next_and_counts_it_without_throwing()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "missing", "audit.spool");
        var next = new CollectingSink();
        using var sink = new FileSpoolAlertSink(spoolPath, next, folder.Time);
        var toolName = "spool_tool_" + Guid.NewGuid().ToString("N"); // tags this test's measurements
        var original = new StoreDown();
        var counted = new StrongBox<long>();
        using var listener = SpoolFiles.CountSpoolFailures(toolName, counted);

        sink.OnAuditFailure(new AuditFailure(SpoolFiles.Entry(1, toolName), original));
        sink.OnAuditFailure(new AuditFailure(SpoolFiles.Entry(2, toolName), original));

        Assert.Equal(2, Interlocked.Read(ref counted.Value));
        Assert.Equal(2, next.Failures.Count);
        Assert.All(next.Failures, f =>
        {
            Assert.Equal(toolName, f.Entry.ToolName);
            var both = Assert.IsType<AggregateException>(f.Exception);
            Assert.Contains(spoolPath, both.Message);
            Assert.Same(original, both.InnerExceptions[0]);
            Assert.IsType<DirectoryNotFoundException>(both.InnerExceptions[1]);
        });
        Assert.False(File.Exists(spoolPath));
    }

    [Fact]
    public void Without_a_next_sink_a_spool_failure_is_counted_and_does_not_escape()
    {
        using var folder = new TrailFolder();
        var toolName = "spool_tool_" + Guid.NewGuid().ToString("N");
        var counted = new StrongBox<long>();
        using var listener = SpoolFiles.CountSpoolFailures(toolName, counted);
        var sink = new FileSpoolAlertSink(Path.Combine(folder.Root, "audit.spool"), timeProvider: folder.Time);
        sink.Dispose();

        sink.OnAuditFailure(new AuditFailure(SpoolFiles.Entry(1, toolName), new StoreDown())); // disposed: cannot spool

        Assert.Equal(1, Interlocked.Read(ref counted.Value));
    }

    [Fact]
    public void A_torn_line_left_by_a_crash_stays_on_a_line_of_its_own()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        File.WriteAllText(spoolPath, """{"spoolId":"0a""", Encoding.UTF8); // a write cut off mid-line

        using (var sink = new FileSpoolAlertSink(spoolPath, timeProvider: folder.Time))
            sink.OnAuditFailure(new AuditFailure(SpoolFiles.Entry(1), new StoreDown()));

        var lines = SpoolFiles.ReadShared(spoolPath).Split('\n');
        Assert.Equal(["""{"spoolId":"0a""", ""], [lines[0], lines[^1]]);
        Assert.Equal(1, JsonDocument.Parse(lines[1]).RootElement.GetProperty("entry").GetProperty("details").GetProperty("n").GetInt32());
    }

    [Fact]
    public void A_new_sink_appends_to_an_existing_spool()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");

        SpoolFiles.Spool(spoolPath, folder.Time, count: 2);
        SpoolFiles.Spool(spoolPath, folder.Time, count: 1, firstN: 2);

        Assert.Equal([0, 1, 2], SpoolFiles.Lines(spoolPath).Select(l => l.GetProperty("entry").GetProperty("details").GetProperty("n").GetInt32()));
    }
}
