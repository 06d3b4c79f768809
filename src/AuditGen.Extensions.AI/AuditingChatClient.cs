using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AuditGen.Extensions.AI;

/// <summary>
/// Chat-client middleware that records the agent's side of a conversation on the trail, in the same record shape as
/// its tool calls: <c>conversation_started</c> (a request with no earlier assistant turn), <c>user_message_received</c>
/// (one per new user message), <c>agent_reasoning</c> (per <see cref="TextReasoningContent"/>),
/// <c>agent_response_generated</c> (model, input/output tokens, cost from <see cref="AuditingChatClientOptions.Prices"/>,
/// finish reason, the tool calls the model made by id), <c>error</c> (exception type and scrubbed message; the call
/// still fails) and <c>conversation_ended</c> (<see cref="EndConversationAsync"/>). Texts are kept only as
/// <see cref="AuditingChatClientOptions.MessageCapture"/> allows: never raw.
/// </summary>
/// <remarks>
/// Place it outermost (<c>builder.UseAuditing(trail).UseFunctionInvocation()</c>): it then sees each user turn once,
/// the response with usage summed over the tool-calling round trips, and it establishes the conversation's
/// <see cref="AuditContext"/> around the tool calls. A streaming response is recorded once, when the stream
/// completes (or, marked <c>complete: false</c>, when the consumer stops early). The conversation id is
/// <see cref="ChatOptions.ConversationId"/>, else <see cref="AuditContext.Current"/>'s.
/// </remarks>
public sealed class AuditingChatClient : DelegatingChatClient
{
    private readonly IAuditTrail _trail;
    private readonly AuditingChatClientOptions _options;
    private readonly AuditFailurePolicy _policy;
    private readonly AuditGen.Erasure.SealingKeys? _sealing;

    /// <summary>Records the conversations that pass through <paramref name="innerClient"/> on <paramref name="trail"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option has an undefined value.</exception>
    /// <exception cref="AuditTrailException">HMAC capture is chosen and the trail has no usable HMAC key, or sealed capture and the trail cannot seal.</exception>
    public AuditingChatClient(IChatClient innerClient, IAuditTrail trail, AuditingChatClientOptions? options = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(trail);
        _trail = trail;
        _options = options ?? new AuditingChatClientOptions();
        _options.Validate();
        _policy = AuditRecorder.ResolvePolicy(_options.FailurePolicy, _options.Classification, trail.Options);
        if ((_options.MessageCapture & MessageCapture.Hmac) != 0)
        {
            // Fails now, naming the option, rather than at the first message: a pseudonym needs the trail's HMAC key.
            _ = AuditRedaction.Redact(trail.Options, RedactionStrategy.Hmac, string.Empty,
                $"user message (AuditingChatClientOptions.MessageCapture includes {nameof(MessageCapture.Hmac)})");
        }
        if ((_options.MessageCapture & MessageCapture.Sealed) != 0)
            _sealing = AuditGen.Erasure.SealingSession.KeysOf(trail, $"AuditingChatClientOptions.MessageCapture ({nameof(MessageCapture.Sealed)})");
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var history = messages as IList<ChatMessage> ?? messages.ToList();
        var conversationId = options?.ConversationId ?? AuditContext.Current?.ConversationId;
        using var scope = ConversationScope(conversationId);
        await RecordRequestAsync(history, options, conversationId, cancellationToken).ConfigureAwait(false);

        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(history, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await RecordErrorAsync(ex, options, conversationId).ConfigureAwait(false);
            throw;
        }

        await RecordResponseAsync(response, options, conversationId ?? response.ConversationId, complete: true, cancellationToken).ConfigureAwait(false);
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var history = messages as IList<ChatMessage> ?? messages.ToList();
        var conversationId = options?.ConversationId ?? AuditContext.Current?.ConversationId;
        IAsyncEnumerator<ChatResponseUpdate> updates;
        // An async iterator loses AsyncLocal changes at each yield, so the conversation's context is set around each step.
        using (ConversationScope(conversationId))
        {
            await RecordRequestAsync(history, options, conversationId, cancellationToken).ConfigureAwait(false);
            updates = base.GetStreamingResponseAsync(history, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }

        var received = new List<ChatResponseUpdate>();
        var ended = false;
        try
        {
            while (true)
            {
                using (ConversationScope(conversationId))
                {
                    bool more;
                    try
                    {
                        more = await updates.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        ended = true;
                        await RecordErrorAsync(ex, options, conversationId).ConfigureAwait(false);
                        throw;
                    }

                    if (!more)
                        break;
                }

                received.Add(updates.Current);
                yield return updates.Current;
            }

            ended = true;
            using (ConversationScope(conversationId))
            {
                var response = received.ToChatResponse();
                await RecordResponseAsync(response, options, conversationId ?? response.ConversationId, complete: true, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
            if (!ended)
            {
                using (ConversationScope(conversationId))
                {
                    var partial = received.ToChatResponse();
                    await RecordResponseAsync(partial, options, conversationId ?? partial.ConversationId, complete: false, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Records <c>conversation_ended</c> for <paramref name="conversationId"/> (default: the current
    /// <see cref="AuditContext"/>'s conversation).
    /// </summary>
    /// <exception cref="InvalidOperationException">No conversation id is given or in the audit context.</exception>
    /// <exception cref="AuditTrailException">Fail-closed and the record could not be made durable.</exception>
    public ValueTask EndConversationAsync(string? conversationId = null, CancellationToken cancellationToken = default)
    {
        conversationId ??= AuditContext.Current?.ConversationId
            ?? throw new InvalidOperationException("EndConversationAsync needs a conversation id: pass one, or call it inside AuditContext.Begin(conversationId: ...).");
        return AppendAsync(Entry(AuditAction.ConversationEnded, conversationId, null), cancellationToken);
    }

    private async ValueTask RecordRequestAsync(IList<ChatMessage> history, ChatOptions? options, string? conversationId, CancellationToken cancellationToken)
    {
        var firstTurn = options?.ConversationId is null && !history.Any(m => m.Role == ChatRole.Assistant || m.Role == ChatRole.Tool);
        if (firstTurn)
        {
            using var started = new ChatDetails();
            started.Json.WriteNumber("messages", history.Count);
            await AppendAsync(Entry(AuditAction.ConversationStarted, conversationId, options?.ModelId) with { Details = started.Build() }, cancellationToken).ConfigureAwait(false);
        }

        // The user messages after the last message of any other role are this turn's; earlier ones were recorded before.
        var first = history.Count;
        while (first > 0 && (history[first - 1].Role == ChatRole.User || history[first - 1].Role == ChatRole.System))
            first--;
        for (var i = first; i < history.Count; i++)
        {
            if (history[i].Role != ChatRole.User)
                continue;
            using var details = Details().Text(history[i].Text, _options.MessageCapture, _trail.Options, "user message");
            var context = AuditContext.Current;
            var entry = details.Complete(Entry(AuditAction.UserMessageReceived, conversationId, options?.ModelId) with
            {
                ActorType = ActorType.User,
                ActorId = context?.UserId,
            }, "user message");
            await AppendAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask RecordResponseAsync(ChatResponse response, ChatOptions? options, string? conversationId, bool complete, CancellationToken cancellationToken)
    {
        var model = response.ModelId ?? options?.ModelId;
        foreach (var content in response.Messages.SelectMany(m => m.Contents))
        {
            switch (content)
            {
                case TextReasoningContent { Text.Length: > 0 } reasoning:
                    using (var details = Details().Text(reasoning.Text, _options.MessageCapture, _trail.Options, "agent reasoning"))
                        await AppendAsync(details.Complete(Entry(AuditAction.AgentReasoning, conversationId, model), "agent reasoning"), cancellationToken).ConfigureAwait(false);
                    break;
                case ErrorContent error:
                    var recorded = new AuditError(error.ErrorCode ?? "model_error", AuditRedaction.ScrubPersonalData(error.Message ?? string.Empty));
                    await AppendAsync(Entry(AuditAction.Error, conversationId, model) with { Outcome = AuditOutcome.Failure, Error = recorded }, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        var inputTokens = response.Usage?.InputTokenCount;
        var outputTokens = response.Usage?.OutputTokenCount;
        decimal? cost = model is not null && inputTokens is { } input && outputTokens is { } output && _options.Prices.TryGetValue(model, out var price)
            ? price.CostOf(input, output)
            : null;

        using var responseDetails = Details();
        var json = responseDetails.Json;
        if (response.FinishReason is { } finish)
            json.WriteString("finishReason", finish.Value);
        if (response.ResponseId is { } responseId)
            json.WriteString("responseId", responseId);
        if (cost is not null)
            json.WriteString("currency", _options.Currency);
        if (!complete)
            json.WriteBoolean("complete", false);
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        if (calls.Count > 0)
        {
            json.WriteStartArray("toolCalls");
            foreach (var call in calls)
            {
                json.WriteStartObject();
                json.WriteString("toolCallId", call.CallId);
                json.WriteString("name", call.Name);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        var text = string.Concat(response.Messages.Where(m => m.Role == ChatRole.Assistant).Select(m => m.Text));
        responseDetails.Text(text, _options.MessageCapture, _trail.Options, "agent response");
        var entry = responseDetails.Complete(Entry(AuditAction.AgentResponseGenerated, conversationId, model) with
        {
            TokensIn = inputTokens,
            TokensOut = outputTokens,
            Cost = cost,
        }, "agent response");
        await AppendAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask RecordErrorAsync(Exception exception, ChatOptions? options, string? conversationId)
    {
        var type = exception.GetType();
        var entry = Entry(AuditAction.Error, conversationId, options?.ModelId) with
        {
            Outcome = AuditOutcome.Failure,
            Error = new AuditError(type.FullName ?? type.Name, AuditRedaction.ScrubPersonalData(exception.Message)),
        };
        return AppendAsync(entry, CancellationToken.None);
    }

    private ChatDetails Details() => new(_sealing is null ? null : new AuditGen.Erasure.SealingSession(_sealing));

    private AuditEntry Entry(AuditAction action, string? conversationId, string? model) => new()
    {
        Action = action,
        ConversationId = conversationId,
        Model = model,
        Classification = _options.Classification,
        Domains = _options.Domains,
        Outcome = AuditOutcome.Success,
    };

    private ValueTask AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        AuditRecorder.AppendAsync(_trail, AuditRecorder.WithAmbientContext(entry), _policy, cancellationToken);

    /// <summary>Makes <paramref name="conversationId"/> the ambient conversation (for the tool calls made inside), unless it already is.</summary>
    private static IDisposable? ConversationScope(string? conversationId) =>
        conversationId is not null && AuditContext.Current?.ConversationId != conversationId ? AuditContext.Begin(conversationId: conversationId) : null;
}
