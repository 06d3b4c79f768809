using System.Text.Json;
using Microsoft.Extensions.AI;
using static AuditGen.Extensions.AI.Tests.Support;

namespace AuditGen.Extensions.AI.Tests;

public sealed class AuditingFunctionTests
{
    private static async Task<ChatResponse> RunAsync(IChatClient model, AITool tool, string user = "Look up the patient.")
    {
        using var client = new ChatClientBuilder(model).UseFunctionInvocation().Build();
        return await client.GetResponseAsync([new ChatMessage(ChatRole.User, user)], new ChatOptions { Tools = [tool] });
    }

    [Fact]
    public async Task A_tool_called_by_the_model_is_recorded_with_the_models_tool_call_id_on_both_records()
    {
        var trail = Trail();
        var tools = new ClinicTools();
        var model = new ScriptedModel(
            _ => ScriptedModel.Calls(new FunctionCallContent("call_abc", "lookup_patient", JsonArguments($$"""{"mrn":"{{ClinicTools.KnownMrn}}","since":"2025-01-31"}"""))),
            _ => ScriptedModel.Answer("done"));

        using (AuditContext.Begin(conversationId: "c-9", userId: "dr.grey", agentName: "triage"))
            await RunAsync(model, Lookup(tools).WithAuditing(trail));

        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], trail.Appended.Select(e => e.Action));
        Assert.All(trail.Appended, e =>
        {
            Assert.Equal("lookup_patient", e.ToolName);
            Assert.Equal("c-9", e.ConversationId);
            Assert.Equal("call_abc", Details(e).GetProperty("toolCallId").GetString());
            Assert.Equal(DataClass.Restricted, e.Classification);
            Assert.StartsWith("hmac:1:", e.SubjectId);
        });
        Assert.Equal(1, tools.Calls);
        AssertNoneContains(trail.Appended, ClinicTools.KnownMrn, ClinicTools.KnownName);
    }

    [Fact]
    public async Task Json_arguments_are_converted_to_the_parameter_types_so_they_are_recorded_as_the_generated_wrapper_records_them()
    {
        var trail = Trail();
        var function = Lookup(new ClinicTools()).WithAuditing(trail);

        await function.InvokeAsync(new AIFunctionArguments(JsonArguments($$"""{"mrn":"{{ClinicTools.KnownMrn}}","since":"2025-01-31"}""")));

        var arguments = Details(trail.Appended[0]).GetProperty("arguments");
        Assert.Equal("2025-01-31", arguments.GetProperty("since").GetString());
        Assert.Equal(trail.Appended[0].SubjectId, arguments.GetProperty("mrn").GetString());
        Assert.Equal("[erased]", Details(trail.Appended[1]).GetProperty("result").GetString());
    }

    [Fact]
    public async Task A_function_without_attributes_is_audited_by_its_mapping()
    {
        var trail = Trail();
        var plain = AIFunctionFactory.Create((string mrn, int days) => $"{days} days for {mrn}", "vendor_history");

        var audited = plain.WithAuditing(trail, tool => tool.ResourceType("Patient").Domains(ComplianceDomain.Hipaa)
            .Classify("mrn", DataClass.Restricted, RedactionStrategy.Hmac).SubjectId("mrn").ClassifyResult(DataClass.Confidential, RedactionStrategy.LengthOnly));
        await audited.InvokeAsync(new AIFunctionArguments { ["mrn"] = "MRN-8080", ["days"] = 30 });

        Assert.All(trail.Appended, e =>
        {
            Assert.Equal("vendor_history", e.ToolName);
            Assert.Equal("Patient", e.ResourceType);
            Assert.Equal(DataClass.Restricted, e.Classification);
        });
        Assert.Equal(30, Details(trail.Appended[0]).GetProperty("arguments").GetProperty("days").GetInt32());
        Assert.Equal("[length:20]", Details(trail.Appended[1]).GetProperty("result").GetString());
        AssertNoneContains(trail.Appended, "MRN-8080");
    }

    [Fact]
    public async Task A_schema_only_function_such_as_a_remote_tool_is_audited_by_name_with_its_mapping()
    {
        var trail = Trail();
        var remote = new RemoteFunction();

        var audited = remote.WithAuditing(trail, tool => tool.Classify("mrn", DataClass.Restricted).Domains(ComplianceDomain.Hipaa));
        await audited.InvokeAsync(new AIFunctionArguments(JsonArguments("""{"mrn":"MRN-7007","ward":"north"}""")));

        var arguments = Details(trail.Appended[0]).GetProperty("arguments");
        Assert.Equal("[erased]", arguments.GetProperty("mrn").GetString());
        Assert.Equal("north", arguments.GetProperty("ward").GetString());
        Assert.Equal("[erased]", Details(trail.Appended[1]).GetProperty("result").GetString());
        Assert.Equal(DataClass.Restricted, trail.Appended[0].Classification);
    }

    [Fact]
    public async Task A_failing_function_is_recorded_as_failed_and_the_model_is_told()
    {
        var trail = Trail();
        var model = new ScriptedModel(
            _ => ScriptedModel.Calls(new FunctionCallContent("call_x", "lookup_patient", JsonArguments("""{"mrn":"MRN-0000","since":"2025-01-31"}"""))),
            messages => ScriptedModel.Answer(messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single().Exception is null ? "found" : "not found"));

        var response = await RunAsync(model, Lookup(new ClinicTools()).WithAuditing(trail));

        Assert.Equal("not found", response.Text);
        var failed = Assert.Single(trail.Appended, e => e.Action == AuditAction.ToolFailed);
        Assert.Equal(typeof(KeyNotFoundException).FullName, failed.Error!.Type);
        Assert.Equal("call_x", Details(failed).GetProperty("toolCallId").GetString());
        AssertNoneContains(trail.Appended, "MRN-0000");
    }

    [Fact]
    public async Task Fail_closed_the_function_runs_only_after_tool_invoked_is_durable()
    {
        var trail = Trail();
        var tools = new ClinicTools();
        var function = Lookup(tools).WithAuditing(trail);
        trail.HoldAppends();

        var call = function.InvokeAsync(new AIFunctionArguments { ["mrn"] = ClinicTools.KnownMrn, ["since"] = "2025-01-31" }).AsTask();

        Assert.Single(trail.Appended);
        Assert.Equal(0, tools.Calls);
        trail.ReleaseAppends();
        await call;
        Assert.Equal(1, tools.Calls);
    }

    [Fact]
    public void A_mapping_that_names_an_unknown_argument_is_refused_with_its_name()
    {
        var error = Assert.Throws<ArgumentException>(() => Lookup(new ClinicTools()).WithAuditing(Trail(), tool => tool.Classify("patient", DataClass.Restricted)));

        Assert.Contains("'patient'", error.Message);
    }

    [Fact]
    public async Task With_tool_call_context_an_already_audited_target_records_the_tool_call_id_without_a_second_audit()
    {
        var trail = Trail();
        var inner = Lookup(new ClinicTools()).WithAuditing(trail);
        var model = new ScriptedModel(
            _ => ScriptedModel.Calls(new FunctionCallContent("call_ctx", "lookup_patient", JsonArguments($$"""{"mrn":"{{ClinicTools.KnownMrn}}","since":"2025-01-31"}"""))),
            _ => ScriptedModel.Answer("done"));

        await RunAsync(model, new ProbeFunction(inner).WithToolCallContext());

        Assert.Equal("call_ctx", ProbeFunction.Seen);
        Assert.Equal(2, trail.Appended.Count);
    }

    /// <summary>Records the tool-call id in the audit context at the moment it runs, then delegates.</summary>
    private sealed class ProbeFunction(AIFunction inner) : DelegatingAIFunction(inner)
    {
        public static string? Seen;

        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            Seen = AuditContext.Current?.ToolCallId;
            return base.InvokeCoreAsync(arguments, cancellationToken);
        }
    }

    /// <summary>A function known only by name and schema, like an MCP tool.</summary>
    private sealed class RemoteFunction : AIFunction
    {
        private static readonly JsonElement Schema = JsonDocument.Parse("""{"type":"object","properties":{"mrn":{"type":"string"},"ward":{"type":"string"}}}""").RootElement;

        public override string Name => "remote_lookup";

        public override JsonElement JsonSchema => Schema;

        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
            ValueTask.FromResult<object?>(JsonSerializer.SerializeToElement(new { name = "Mary Seacole" }));
    }
}
