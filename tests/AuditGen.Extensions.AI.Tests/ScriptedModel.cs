using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AuditGen.Extensions.AI.Tests;

/// <summary>
/// A scripted stand-in for a model: each call answers with the next scripted response, built from the messages it was
/// sent. Records the requests it received, so tests can check what reached the "model".
/// </summary>
internal sealed class ScriptedModel(params Func<IReadOnlyList<ChatMessage>, ChatResponse>[] script) : IChatClient
{
    private int _next;

    public List<IReadOnlyList<ChatMessage>> Requests { get; } = [];

    public Exception? Throw { get; set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        Requests.Add(list);
        if (Throw is not null)
            throw Throw;
        if (_next >= script.Length)
            throw new InvalidOperationException($"The script has {script.Length} responses; call {_next + 1} was not scripted.");
        return Task.FromResult(script[_next++](list));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            await Task.Yield();
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    public static ChatResponse Calls(params FunctionCallContent[] calls) =>
        new(new ChatMessage(ChatRole.Assistant, [.. calls])) { ModelId = "gpt-test", FinishReason = ChatFinishReason.ToolCalls, Usage = Usage(100, 10) };

    public static ChatResponse Answer(string text, params AIContent[] extra) =>
        new(new ChatMessage(ChatRole.Assistant, [.. extra, new TextContent(text)])) { ModelId = "gpt-test", FinishReason = ChatFinishReason.Stop, Usage = Usage(200, 40), ResponseId = "resp-1" };

    public static UsageDetails Usage(long input, long output) => new() { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output };
}
