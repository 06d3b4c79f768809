using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace HealthcareAgent.Agent;

/// <summary>
/// A deterministic stand-in for a language model: no network, no keys. For each user message it requests the
/// script's tool calls round by round (as <see cref="FunctionCallContent"/>), then answers from the
/// <see cref="FunctionResultContent"/> it was sent back. Put <c>UseFunctionInvocation()</c> in front of it so the
/// calls are executed.
/// </summary>
internal sealed class ScriptedChatClient(ConversationScript script) : IChatClient
{
    public const string ModelId = "scripted-clinical-model";

    /// <summary>What the sample pretends the model costs, per million tokens (USD).</summary>
    public static readonly AuditGen.Extensions.AI.ModelPrice Price = new(InputPerMillionTokens: 3.00m, OutputPerMillionTokens: 15.00m);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var history = messages.ToList();
        var turnIndex = history.Count(m => m.Role == ChatRole.User) - 1;
        if (turnIndex < 0 || turnIndex >= script.Turns.Count)
            throw new InvalidOperationException($"The script '{script.Name}' has no turn {turnIndex + 1}.");
        var turn = script.Turns[turnIndex];

        var sinceUser = history.Skip(history.FindLastIndex(m => m.Role == ChatRole.User) + 1).ToList();
        var roundsDone = sinceUser.Count(m => m.Role == ChatRole.Assistant && m.Contents.OfType<FunctionCallContent>().Any());

        ChatMessage reply;
        ChatFinishReason finish;
        if (roundsDone < turn.Rounds.Count)
        {
            var calls = turn.Rounds[roundsDone]
                .Select(call => (AIContent)new FunctionCallContent(call.CallId, call.ToolName, new Dictionary<string, object?>(call.Arguments)))
                .ToList();
            reply = new ChatMessage(ChatRole.Assistant, calls);
            finish = ChatFinishReason.ToolCalls;
        }
        else
        {
            var results = sinceUser.SelectMany(m => m.Contents.OfType<FunctionResultContent>())
                .ToDictionary(r => r.CallId, StringComparer.Ordinal);
            reply = new ChatMessage(ChatRole.Assistant, turn.Answer(new ToolResults(results)));
            finish = ChatFinishReason.Stop;
        }

        return Task.FromResult(new ChatResponse(reply) { ModelId = ModelId, FinishReason = finish, Usage = Usage(history, reply) });
    }

    /// <summary>Deterministic token counts, about four characters a token as real tokenizers average on English.</summary>
    private static UsageDetails Usage(IEnumerable<ChatMessage> history, ChatMessage reply)
    {
        static long Tokens(ChatMessage message) => 4 + message.Contents.Sum(content => content switch
        {
            TextContent text => (text.Text.Length + 3) / 4,
            FunctionCallContent call => 8 + (call.Arguments?.Count ?? 0) * 6,
            FunctionResultContent => 40,
            _ => 1,
        });

        var input = history.Sum(Tokens);
        var output = Tokens(reply);
        return new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
            yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
