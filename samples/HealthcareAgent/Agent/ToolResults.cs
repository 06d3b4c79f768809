using System.Text.Json;
using Microsoft.Extensions.AI;

namespace HealthcareAgent.Agent;

/// <summary>The tool results the model has been sent in the current turn, by call id.</summary>
internal sealed class ToolResults(IReadOnlyDictionary<string, FunctionResultContent> results)
{
    /// <summary>Whether the call failed (the function threw).</summary>
    public bool Failed(string callId) => Result(callId).Exception is not null;

    /// <summary>The call's result, read back from the JSON the function returned.</summary>
    public T Get<T>(string callId)
    {
        var content = Result(callId);
        if (content.Exception is not null)
            throw new InvalidOperationException($"Tool call {callId} failed; the script must check Failed() first.");
        return content.Result switch
        {
            T typed => typed,
            JsonElement json => json.Deserialize<T>(AIJsonUtilities.DefaultOptions)
                ?? throw new InvalidOperationException($"Tool call {callId} returned null."),
            var other => throw new InvalidOperationException($"Tool call {callId} returned an unexpected {other?.GetType().Name ?? "null"}."),
        };
    }

    private FunctionResultContent Result(string callId) =>
        results.TryGetValue(callId, out var content)
            ? content
            : throw new InvalidOperationException($"No result was sent for tool call {callId}.");
}
