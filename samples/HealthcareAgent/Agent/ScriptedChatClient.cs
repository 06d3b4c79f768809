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
        if (roundsDone < turn.Rounds.Count)
        {
            var calls = turn.Rounds[roundsDone]
                .Select(call => (AIContent)new FunctionCallContent(call.CallId, call.ToolName, new Dictionary<string, object?>(call.Arguments)))
                .ToList();
            reply = new ChatMessage(ChatRole.Assistant, calls);
        }
        else
        {
            var results = sinceUser.SelectMany(m => m.Contents.OfType<FunctionResultContent>())
                .ToDictionary(r => r.CallId, StringComparer.Ordinal);
            reply = new ChatMessage(ChatRole.Assistant, turn.Answer(new ToolResults(results)));
        }

        return Task.FromResult(new ChatResponse(reply) { ModelId = ModelId });
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
