using AuditGen;
using Microsoft.Extensions.AI;

namespace HealthcareAgent.Agent;

/// <summary>Plays one scripted conversation through a function-invoking chat pipeline inside its audit context.</summary>
internal static class ConversationRunner
{
    private const string SystemPrompt =
        "You are a clinical assistant. Use the tools to read or change patient data; never guess clinical facts.";

    public static async Task RunAsync(ConversationScript script, string conversationId, IList<AITool> tools, IAuditTrail trail,
        TextWriter output, CancellationToken cancellationToken)
    {
        using var scope = AuditContext.Begin(conversationId, script.UserId, script.AgentName);
        await trail.AppendAsync(ConversationEvent(AuditAction.ConversationStarted), cancellationToken);

        using IChatClient client = new ChatClientBuilder(new ScriptedChatClient(script))
            .UseFunctionInvocation()
            .Build();
        var options = new ChatOptions { Tools = tools, ModelId = ScriptedChatClient.ModelId };
        List<ChatMessage> history = [new(ChatRole.System, SystemPrompt)];

        await output.WriteLineAsync($"== {script.Name}: {script.UserId} with {script.AgentName}");
        foreach (var turn in script.Turns)
        {
            history.Add(new ChatMessage(ChatRole.User, turn.UserMessage));
            await output.WriteLineAsync($"   user:      {turn.UserMessage}");

            var response = await client.GetResponseAsync(history, options, cancellationToken);
            history.AddRange(response.Messages);
            foreach (var content in response.Messages.SelectMany(m => m.Contents))
            {
                switch (content)
                {
                    case FunctionCallContent call:
                        await output.WriteLineAsync($"   tool call: {call.Name} ({call.CallId})");
                        break;
                    case FunctionResultContent { Exception: { } exception } failed:
                        await output.WriteLineAsync($"   tool failed: {failed.CallId}: {exception.GetType().Name}");
                        break;
                }
            }
            await output.WriteLineAsync($"   assistant: {response.Text}");
        }

        await trail.AppendAsync(ConversationEvent(AuditAction.ConversationEnded), cancellationToken);
    }

    /// <summary>A start/end marker carrying the ambient context; it holds no message content (content may be PHI).</summary>
    private static AuditEntry ConversationEvent(AuditAction action)
    {
        var context = AuditContext.Current ?? throw new InvalidOperationException("No audit context.");
        return new AuditEntry
        {
            Action = action,
            ActorId = context.ActorId ?? context.AgentName,
            ActorType = context.ActorType,
            ConversationId = context.ConversationId,
            UserId = context.UserId,
            AgentName = context.AgentName,
            Model = ScriptedChatClient.ModelId,
            Classification = DataClass.Internal,
            Domains = ComplianceDomain.Hipaa,
            Outcome = AuditOutcome.Success,
        };
    }
}
