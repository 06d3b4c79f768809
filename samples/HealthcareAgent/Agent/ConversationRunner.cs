using AuditGen;
using AuditGen.Extensions.AI;
using Microsoft.Extensions.AI;

namespace HealthcareAgent.Agent;

/// <summary>
/// Plays one scripted conversation through an audited, function-invoking chat pipeline inside its audit context. The
/// auditing middleware records the conversation (start, each user message, each response with model, tokens and cost,
/// end); the generated wrapper records the tool calls, tied to the model's tool-call ids. Message and response texts are
/// kept only as a length and an HMAC pseudonym: they hold PHI.
/// </summary>
internal static class ConversationRunner
{
    private const string SystemPrompt =
        "You are a clinical assistant. Use the tools to read or change patient data; never guess clinical facts.";

    public static async Task RunAsync(ConversationScript script, string conversationId, IList<AITool> tools, IAuditTrail trail,
        TextWriter output, CancellationToken cancellationToken)
    {
        using var scope = AuditContext.Begin(conversationId, script.UserId, script.AgentName);

        using IChatClient client = new ChatClientBuilder(new ScriptedChatClient(script))
            .UseAuditing(trail, audit =>
            {
                audit.Classification = DataClass.Restricted;
                audit.Domains = ComplianceDomain.Hipaa;
                audit.MessageCapture = MessageCapture.Length | MessageCapture.Hmac;
                audit.Prices[ScriptedChatClient.ModelId] = ScriptedChatClient.Price;
            })
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

        await client.EndAuditedConversationAsync(cancellationToken: cancellationToken);
    }
}
