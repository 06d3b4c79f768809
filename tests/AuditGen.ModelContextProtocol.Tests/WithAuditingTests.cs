using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;

namespace AuditGen.ModelContextProtocol.Tests;

public sealed class WithAuditingTests : IAsyncLifetime
{
    private readonly TrailFolder _trail = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _trail.DisposeAsync();

    private Task<McpHarness> Server(Action<McpAuditOptions>? configure = null, Action<IMcpServerBuilder>? more = null) =>
        McpHarness.StartAsync(mcp =>
        {
            mcp.WithAuditing(_trail.Trail, configure);
            more?.Invoke(mcp);
        });

    private static JsonElement Details(AuditRecord record) => JsonDocument.Parse(record.Details!).RootElement;

    [Fact]
    public async Task A_tools_call_is_recorded_as_invoked_then_completed()
    {
        await using var mcp = await Server();

        var result = await mcp.CallAsync("lookup_patient", ("mrn", ClinicMcpTools.KnownMrn), ("reason", "triage"));

        Assert.NotEqual(true, result.IsError);
        var records = await _trail.RecordsAsync();
        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], records.Select(r => r.Action));
        Assert.All(records, r =>
        {
            Assert.Equal("lookup_patient", r.ToolName);
            Assert.Equal("Patient", r.ResourceType);
            Assert.Equal(DataClass.Restricted, r.Classification);
            Assert.Equal(ComplianceDomain.Hipaa, r.Domains);
        });
        Assert.Equal(Details(records[0]).GetProperty("callId").GetString(), Details(records[1]).GetProperty("callId").GetString());
        Assert.True((await _trail.Trail.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Arguments_and_result_are_redacted_by_the_tool_methods_attributes_before_they_are_recorded()
    {
        await using var mcp = await Server();

        await mcp.CallAsync("lookup_patient", ("mrn", ClinicMcpTools.KnownMrn), ("reason", "triage"));

        var records = await _trail.RecordsAsync();
        var arguments = Details(records[0]).GetProperty("arguments");
        Assert.StartsWith("hmac:1:", arguments.GetProperty("mrn").GetString());
        Assert.Equal("triage", arguments.GetProperty("reason").GetString());
        Assert.Equal(arguments.GetProperty("mrn").GetString(), records[0].SubjectId);
        Assert.Equal("[erased]", Details(records[1]).GetProperty("result").GetString()); // a restricted tool's result
        Assert.All(records, r =>
        {
            Assert.DoesNotContain(ClinicMcpTools.KnownMrn, JsonSerializer.Serialize(r));
            Assert.DoesNotContain(ClinicMcpTools.PatientName, JsonSerializer.Serialize(r));
        });
    }

    [Fact]
    public async Task The_same_value_gets_the_same_pseudonym_as_on_every_other_audited_path()
    {
        await using var mcp = await Server();
        var descriptor = new ToolDescriptor("x", "X", "X", null, AuditAction.ToolInvoked, null, DataClass.Restricted, ComplianceDomain.None,
            AuditFailurePolicy.FailOpen, [new ToolParameter("mrn", "string", DataClass.Restricted, RedactionStrategy.Hmac, ToolParameterRole.SubjectId, [])], ToolReturn.Void);
        var direct = new CapturingTrail(_trail.Trail.Options);
        var invocation = ToolInvocation.Start(direct, descriptor);
        invocation.Argument(0, ClinicMcpTools.KnownMrn);
        await invocation.InvokedAsync();

        await mcp.CallAsync("lookup_patient", ("mrn", ClinicMcpTools.KnownMrn), ("reason", "triage"));

        Assert.Equal(direct.Entries[0].SubjectId, (await _trail.RecordsAsync())[0].SubjectId);
    }

    [Fact]
    public async Task The_mcp_session_is_the_conversation_and_the_request_id_the_tool_call_id()
    {
        await using var mcp = await Server();

        await mcp.CallAsync("get_ward", ("mrn", "MRN-1"));
        await mcp.CallAsync("get_ward", ("mrn", "MRN-2"));

        var records = await _trail.RecordsAsync();
        Assert.Equal(4, records.Count);
        var conversation = Assert.Single(records.Select(r => r.ConversationId).Distinct());
        Assert.False(string.IsNullOrEmpty(conversation));
        var callIds = records.Select(r => Details(r).GetProperty("toolCallId").GetString()).ToList();
        Assert.Equal(callIds[0], callIds[1]);
        Assert.Equal(callIds[2], callIds[3]);
        Assert.NotEqual(callIds[0], callIds[2]);
    }

    [Fact]
    public async Task Separate_sessions_are_separate_conversations()
    {
        await using (var first = await Server())
            await first.CallAsync("get_ward", ("mrn", "MRN-1"));
        await using (var second = await Server())
            await second.CallAsync("get_ward", ("mrn", "MRN-1"));

        Assert.Equal(2, (await _trail.RecordsAsync()).Select(r => r.ConversationId).Distinct().Count());
    }

    [Fact]
    public async Task A_tools_call_is_an_execute_tool_span_that_its_records_point_to()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "AuditGen",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        await using var mcp = await Server();

        await mcp.CallAsync("get_ward", ("mrn", "MRN-1"));

        var records = await _trail.RecordsAsync();
        var span = Assert.Single(spans, s => s.SpanId.ToHexString() == records[0].SpanId);
        Assert.Equal("execute_tool get_ward", span.DisplayName);
        Assert.Equal(records[0].ConversationId, span.GetTagItem("gen_ai.conversation.id"));
        Assert.Equal(Details(records[0]).GetProperty("toolCallId").GetString(), span.GetTagItem("gen_ai.tool.call.id"));
        Assert.Equal("triage-agent", span.GetTagItem("gen_ai.agent.name"));
    }

    [Fact]
    public async Task The_mcp_client_is_the_agent()
    {
        await using var mcp = await Server();

        await mcp.CallAsync("get_ward", ("mrn", "MRN-1"));

        Assert.All(await _trail.RecordsAsync(), r =>
        {
            Assert.Equal("triage-agent", r.AgentName);
            Assert.Equal(ActorType.Agent, r.ActorType);
        });
    }

    [Fact]
    public async Task The_authenticated_user_of_the_request_is_recorded()
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "dr.grey"), new Claim(ClaimTypes.Name, "Meredith Grey")], "test"));
        await using var mcp = await Server(more: b => b.WithMessageFilters(f => f.AddIncomingFilter(next => async (context, cancellationToken) =>
        {
            context.User = user;
            await next(context, cancellationToken);
        })));

        await mcp.CallAsync("get_ward", ("mrn", "MRN-1"));

        Assert.All(await _trail.RecordsAsync(), r => Assert.Equal("dr.grey", r.UserId));
    }

    [Fact]
    public async Task An_unauthenticated_request_records_no_user()
    {
        await using var mcp = await Server();

        await mcp.CallAsync("get_ward", ("mrn", "MRN-1"));

        Assert.All(await _trail.RecordsAsync(), r => Assert.Null(r.UserId));
    }

    [Fact]
    public async Task A_tool_without_attributes_is_described_by_the_map()
    {
        await using var mcp = await Server(o => o.Tools.Tool("get_ward")
            .ResourceType("Patient").Domains(ComplianceDomain.Hipaa).Classification(DataClass.Restricted)
            .Classify("mrn", DataClass.Restricted).SubjectId("mrn"));

        await mcp.CallAsync("get_ward", ("mrn", "MRN-555"));

        var invoked = (await _trail.RecordsAsync())[0];
        Assert.Equal(DataClass.Restricted, invoked.Classification);
        Assert.Equal("Patient", invoked.ResourceType);
        Assert.Equal("[erased]", Details(invoked).GetProperty("arguments").GetProperty("mrn").GetString());
        Assert.DoesNotContain("MRN-555", JsonSerializer.Serialize(await _trail.RecordsAsync()));
    }

    [Fact]
    public async Task A_failing_tool_is_recorded_as_tool_failed_with_its_message_scrubbed()
    {
        await using var mcp = await Server();

        var result = await mcp.CallAsync("lookup_patient", ("mrn", "MRN-999431"), ("reason", "triage"));

        Assert.True(result.IsError);
        var failed = (await _trail.RecordsAsync())[^1];
        Assert.Equal(AuditAction.ToolFailed, failed.Action);
        Assert.Equal(AuditOutcome.Failure, failed.Outcome);
        Assert.Equal(typeof(KeyNotFoundException).FullName, failed.Error?.Type);
        Assert.Equal("No patient [redacted:mrn].", failed.Error!.Message);
    }

    [Fact]
    public async Task A_result_flagged_as_an_error_is_recorded_as_tool_failed_with_its_text()
    {
        await using var mcp = await Server();

        var result = await mcp.CallAsync("refill", ("drug", "atorvastatin"));

        Assert.True(result.IsError);
        var failed = (await _trail.RecordsAsync())[^1];
        Assert.Equal(AuditAction.ToolFailed, failed.Action);
        Assert.Equal(new AuditError(typeof(McpToolErrorException).FullName!, "Refill of atorvastatin refused: needs a review."), failed.Error);
    }

    [Fact]
    public async Task Fail_closed_a_tool_whose_invoked_record_cannot_be_made_durable_does_not_run()
    {
        await using var mcp = await McpHarness.StartAsync(b => b.WithAuditing(new CapturingTrail(_trail.Trail.Options) { Fail = true }));
        var before = ClinicMcpTools.Lookups;

        var result = await mcp.CallAsync("lookup_patient", ("mrn", ClinicMcpTools.KnownMrn), ("reason", "x"));

        Assert.Equal(before, ClinicMcpTools.Lookups);
        Assert.True(result.IsError);
    }

    [Fact]
    public async Task A_tool_that_is_a_generated_audited_wrapper_is_not_recorded_twice_but_gets_the_session_context()
    {
        await using var mcp = await Server();

        var result = await mcp.CallAsync("whoami", ("greeting", "hello"));

        Assert.Empty(await _trail.RecordsAsync());
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        Assert.Matches("^hello  in .+$", text);
    }

    [Fact]
    public async Task With_AddAuditTrail_the_server_audits_on_the_hosted_trail()
    {
        var path = Path.Combine(Path.GetTempPath(), "auditgen-mcp-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            await using (var mcp = await McpHarness.StartAsync(b =>
            {
                b.Services.AddAuditTrail(o => o.UseLiteDb(path).UseHmacKey(TrailFolder.Key));
                b.WithAuditing();
            }))
            {
                await mcp.CallAsync("lookup_patient", ("mrn", ClinicMcpTools.KnownMrn), ("reason", "triage"));
            }

            // The host stopped: the trail was flushed and closed, so it opens again and holds both records.
            await using var trail = AuditTrail.OpenLiteDb(path, new AuditTrailOptions { ReadOnly = true });
            var actions = new List<AuditAction>();
            await foreach (var record in trail.QueryAsync(new AuditQuery()))
                actions.Add(record.Action);
            Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], actions);
        }
        finally
        {
            foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*"))
                File.Delete(file);
        }
    }

    [Fact]
    public async Task The_trail_can_come_from_the_servers_services()
    {
        await using var mcp = await McpHarness.StartAsync(b =>
        {
            b.Services.AddSingleton<IAuditTrail>(_trail.Trail);
            b.WithAuditing();
        });

        await mcp.CallAsync("get_ward", ("mrn", "MRN-1"));

        Assert.Equal(2, (await _trail.RecordsAsync()).Count);
    }
}
