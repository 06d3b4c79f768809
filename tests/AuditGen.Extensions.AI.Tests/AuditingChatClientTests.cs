using Microsoft.Extensions.AI;
using static AuditGen.Extensions.AI.Tests.Support;

namespace AuditGen.Extensions.AI.Tests;

public sealed class AuditingChatClientTests
{
    private const string UserText = $"Please check {ClinicTools.KnownName} ({ClinicTools.KnownMrn}), email florence@example.org";

    private static IChatClient Pipeline(IChatClient model, IAuditTrail trail, Action<AuditingChatClientOptions>? configure = null) =>
        new ChatClientBuilder(model)
            .UseAuditing(trail, o =>
            {
                o.Domains = ComplianceDomain.Hipaa;
                o.Prices["gpt-test"] = new ModelPrice(2.50m, 10m);
                configure?.Invoke(o);
            })
            .UseFunctionInvocation()
            .Build();

    private static ScriptedModel LookupThenAnswer() => new(
        _ => ScriptedModel.Calls(new FunctionCallContent("call_1", "lookup_patient", JsonArguments($$"""{"mrn":"{{ClinicTools.KnownMrn}}","since":"2025-01-31"}"""))),
        _ => ScriptedModel.Answer($"{ClinicTools.KnownName} has no allergies."));

    [Fact]
    public async Task One_turn_records_start_user_message_tool_calls_by_id_response_with_tokens_and_cost_then_end()
    {
        var trail = Trail();
        using var client = Pipeline(LookupThenAnswer(), trail);

        using (AuditContext.Begin(conversationId: "conv-1", userId: "dr.grey", agentName: "triage"))
        {
            await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be careful."), new ChatMessage(ChatRole.User, UserText)],
                new ChatOptions { Tools = [Lookup(new ClinicTools()).WithAuditing(trail)] });
            await client.EndAuditedConversationAsync();
        }

        Assert.Equal(
            [AuditAction.ConversationStarted, AuditAction.UserMessageReceived, AuditAction.ToolInvoked, AuditAction.ToolCompleted,
             AuditAction.AgentResponseGenerated, AuditAction.ConversationEnded],
            trail.Appended.Select(e => e.Action));
        Assert.All(trail.Appended, e => Assert.Equal("conv-1", e.ConversationId));
        var user = trail.Appended[1];
        Assert.Equal(ActorType.User, user.ActorType);
        Assert.Equal("dr.grey", user.ActorId);
        Assert.Equal(UserText.Length, Details(user).GetProperty("length").GetInt32());
        Assert.StartsWith("hmac:1:", Details(user).GetProperty("hmac").GetString());

        var response = trail.Appended[4];
        Assert.Equal("gpt-test", response.Model);
        Assert.Equal(300, response.TokensIn);
        Assert.Equal(50, response.TokensOut);
        Assert.Equal(0.00125m, response.Cost); // 300 × 2.50 / 1e6 + 50 × 10 / 1e6
        Assert.Equal("stop", Details(response).GetProperty("finishReason").GetString());
        Assert.Equal("USD", Details(response).GetProperty("currency").GetString());
        var call = Assert.Single(Details(response).GetProperty("toolCalls").EnumerateArray());
        Assert.Equal("call_1", call.GetProperty("toolCallId").GetString());
        Assert.Equal("call_1", Details(trail.Appended[2]).GetProperty("toolCallId").GetString());
        AssertNoneContains(trail.Appended, ClinicTools.KnownMrn, ClinicTools.KnownName, "florence@example.org", "allergies");
    }

    [Fact]
    public async Task A_second_turn_records_only_its_new_user_message_and_no_second_start()
    {
        var trail = Trail();
        var model = new ScriptedModel(_ => ScriptedModel.Answer("first"), _ => ScriptedModel.Answer("second"));
        using var client = Pipeline(model, trail);
        List<ChatMessage> history = [new(ChatRole.User, "one")];

        using (AuditContext.Begin(conversationId: "conv-2"))
        {
            history.AddRange((await client.GetResponseAsync(history)).Messages);
            history.Add(new ChatMessage(ChatRole.User, "two"));
            await client.GetResponseAsync(history);
        }

        Assert.Equal(
            [AuditAction.ConversationStarted, AuditAction.UserMessageReceived, AuditAction.AgentResponseGenerated,
             AuditAction.UserMessageReceived, AuditAction.AgentResponseGenerated],
            trail.Appended.Select(e => e.Action));
        Assert.Equal(3, Details(trail.Appended[3]).GetProperty("length").GetInt32());
    }

    [Fact]
    public async Task Reasoning_content_is_recorded_as_agent_reasoning_without_its_text()
    {
        var trail = Trail();
        var model = new ScriptedModel(_ => ScriptedModel.Answer("ok", new TextReasoningContent($"The user mentioned {ClinicTools.KnownName}.")));
        using var client = Pipeline(model, trail);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        var reasoning = Assert.Single(trail.Appended, e => e.Action == AuditAction.AgentReasoning);
        Assert.StartsWith("hmac:1:", Details(reasoning).GetProperty("hmac").GetString());
        AssertNoneContains(trail.Appended, ClinicTools.KnownName);
    }

    [Fact]
    public async Task A_failing_model_call_is_recorded_as_an_error_with_a_scrubbed_message_and_still_fails()
    {
        var trail = Trail();
        var model = new ScriptedModel { Throw = new HttpRequestException("upstream rejected florence@example.org from 10.1.2.3") };
        using var client = Pipeline(model, trail);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));

        var error = Assert.Single(trail.Appended, e => e.Action == AuditAction.Error);
        Assert.Equal(typeof(HttpRequestException).FullName, error.Error!.Type);
        Assert.Equal("upstream rejected [email] from [ip]", error.Error.Message);
        Assert.Equal(AuditOutcome.Failure, error.Outcome);
    }

    [Fact]
    public async Task Scrubbed_text_capture_keeps_the_text_with_identifier_patterns_replaced()
    {
        var trail = Trail();
        using var client = Pipeline(new ScriptedModel(_ => ScriptedModel.Answer("ok")), trail, o => o.MessageCapture = MessageCapture.ScrubbedText);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, $"MRN {ClinicTools.KnownMrn}, mail florence@example.org")]);

        var user = Details(trail.Appended.Single(e => e.Action == AuditAction.UserMessageReceived));
        Assert.Equal("MRN [mrn], mail [email]", user.GetProperty("text").GetString());
        Assert.False(user.TryGetProperty("hmac", out _));
    }

    [Fact]
    public async Task A_streamed_response_is_recorded_once_when_the_stream_completes()
    {
        var trail = Trail();
        using var client = Pipeline(LookupThenAnswer(), trail);
        var tools = new ChatOptions { Tools = [Lookup(new ClinicTools()).WithAuditing(trail)] };

        var updates = 0;
        using (AuditContext.Begin(conversationId: "conv-s"))
        {
            await foreach (var _ in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], tools))
            {
                updates++;
                Assert.DoesNotContain(trail.Appended, e => e.Action == AuditAction.AgentResponseGenerated);
            }
        }

        Assert.True(updates > 1);
        var response = Assert.Single(trail.Appended, e => e.Action == AuditAction.AgentResponseGenerated);
        Assert.Equal(300, response.TokensIn);
        Assert.Equal(50, response.TokensOut);
        Assert.All(trail.Appended, e => Assert.Equal("conv-s", e.ConversationId));
        Assert.Equal("call_1", Details(trail.Appended.Single(e => e.Action == AuditAction.ToolInvoked)).GetProperty("toolCallId").GetString());
    }

    [Fact]
    public async Task A_stream_the_consumer_abandons_is_recorded_once_as_incomplete()
    {
        var trail = Trail();
        using var client = Pipeline(new ScriptedModel(_ => ScriptedModel.Answer("a long answer")), trail);

        await foreach (var _ in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]))
            break;

        var response = Assert.Single(trail.Appended, e => e.Action == AuditAction.AgentResponseGenerated);
        Assert.False(Details(response).GetProperty("complete").GetBoolean());
    }

    [Fact]
    public async Task Fail_closed_the_model_is_not_called_until_the_user_message_is_durable()
    {
        var trail = Trail();
        var model = new ScriptedModel(_ => ScriptedModel.Answer("ok"));
        using var client = Pipeline(model, trail, o => o.Classification = DataClass.Restricted);
        trail.HoldAppends();

        var call = client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Empty(model.Requests);
        Assert.False(call.IsCompleted);
        trail.ReleaseAppends();
        await call;
        Assert.Single(model.Requests);
    }

    [Fact]
    public async Task Fail_closed_a_response_whose_record_cannot_be_made_durable_is_withheld()
    {
        var trail = Trail();
        trail.FailAppendsWith(e => e.Action == AuditAction.AgentResponseGenerated ? new IOException("disk full") : null);
        using var client = Pipeline(new ScriptedModel(_ => ScriptedModel.Answer("secret answer")), trail, o => o.Classification = DataClass.Restricted);

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));

        Assert.Contains("agent_response_generated", error.Message);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public async Task Fail_closed_an_error_record_that_cannot_be_made_durable_fails_the_call_naming_the_models_exception()
    {
        var trail = Trail();
        trail.FailAppendsWith(e => e.Action == AuditAction.Error ? new IOException("disk full") : null);
        var model = new ScriptedModel { Throw = new HttpRequestException("upstream down") };
        using var client = Pipeline(model, trail, o => o.Classification = DataClass.Restricted);

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));

        Assert.Contains(typeof(HttpRequestException).FullName!, error.Message);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public void Hmac_capture_without_a_key_is_refused_when_the_pipeline_is_built_naming_both_options()
    {
        var trail = new AuditGen.Testing.InMemoryAuditTrail(new AuditTrailOptions());

        var error = Assert.Throws<AuditTrailException>(() => Pipeline(new ScriptedModel(), trail));

        Assert.Contains("MessageCapture", error.Message);
        Assert.Contains("HmacKey", error.Message);
    }

    [Fact]
    public async Task Without_hmac_capture_no_key_is_needed()
    {
        var trail = new AuditGen.Testing.InMemoryAuditTrail(new AuditTrailOptions());
        using var client = Pipeline(new ScriptedModel(_ => ScriptedModel.Answer("ok")), trail, o => o.MessageCapture = MessageCapture.Length);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal(2, Details(trail.Appended.Single(e => e.Action == AuditAction.UserMessageReceived)).GetProperty("length").GetInt32());
    }

    [Fact]
    public async Task A_user_message_without_a_user_in_context_is_not_attributed_to_the_agent()
    {
        var trail = Trail();
        using var client = Pipeline(new ScriptedModel(_ => ScriptedModel.Answer("ok")), trail);

        using (AuditContext.Begin(agentName: "triage"))
            await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        var user = trail.Appended.Single(e => e.Action == AuditAction.UserMessageReceived);
        Assert.Equal(ActorType.User, user.ActorType);
        Assert.Null(user.ActorId);
        Assert.Equal("triage", trail.Appended.Single(e => e.Action == AuditAction.AgentResponseGenerated).ActorId);
    }

    [Fact]
    public async Task Ending_a_conversation_on_a_pipeline_without_auditing_is_refused_clearly()
    {
        using var client = new ChatClientBuilder(new ScriptedModel()).Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.EndAuditedConversationAsync("c").AsTask());

        Assert.Contains("UseAuditing", error.Message);
    }

    [Fact]
    public void An_undefined_classification_option_is_refused_when_the_pipeline_is_built()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pipeline(new ScriptedModel(), Trail(), o => o.Classification = (DataClass)9));
    }
}

public sealed class AuditingChatClientFailOpenTests
{
    /// <summary>Collects failures; <see cref="Reached"/> completes when the expected number has arrived (fail-open reports them in the background).</summary>
    private sealed class Alerts(int expected) : IAuditAlertSink
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<AuditFailure> Failures { get; } = [];

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

    [Fact]
    public async Task Fail_open_the_response_is_returned_and_every_record_that_failed_reaches_the_alert_sink()
    {
        var alerts = new Alerts(expected: 3);
        var trail = new AuditGen.Testing.InMemoryAuditTrail(new AuditTrailOptions
        {
            HmacKey = Support.HmacKey,
            FailurePolicy = AuditFailurePolicy.FailOpen,
            AlertSink = alerts,
        });
        trail.FailAppendsWith(_ => new IOException("disk full"));
        using var client = new ChatClientBuilder(new ScriptedModel(_ => ScriptedModel.Answer("ok"))).UseAuditing(trail).Build();

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);
        await alerts.Reached;

        Assert.Equal("ok", response.Text);
        Assert.Equal(
            [AuditAction.ConversationStarted, AuditAction.UserMessageReceived, AuditAction.AgentResponseGenerated],
            alerts.Failures.Select(f => f.Entry.Action).Order());
        Assert.All(alerts.Failures, f => Assert.IsType<IOException>(f.Exception));
    }
}
