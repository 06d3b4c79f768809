using Microsoft.Extensions.AI;

namespace AuditGen.Extensions.AI;

/// <summary>Adds <see cref="AuditingChatClient"/> to a chat pipeline.</summary>
public static class ChatClientBuilderAuditingExtensions
{
    /// <summary>
    /// Records the conversation on <paramref name="trail"/> (see <see cref="AuditingChatClient"/>). Call it before
    /// <c>UseFunctionInvocation()</c> so it wraps the tool-calling loop.
    /// </summary>
    public static ChatClientBuilder UseAuditing(this ChatClientBuilder builder, IAuditTrail trail, Action<AuditingChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(trail);
        var options = new AuditingChatClientOptions();
        configure?.Invoke(options);
        return builder.Use(inner => new AuditingChatClient(inner, trail, options));
    }

    /// <summary>Records <c>conversation_ended</c> through the pipeline's <see cref="AuditingChatClient"/>.</summary>
    /// <exception cref="InvalidOperationException">The pipeline has no <see cref="AuditingChatClient"/>, or no conversation id is known.</exception>
    public static ValueTask EndAuditedConversationAsync(this IChatClient client, string? conversationId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var auditing = client.GetService<AuditingChatClient>()
            ?? throw new InvalidOperationException("This chat client has no AuditingChatClient in its pipeline: build it with ChatClientBuilder.UseAuditing(trail).");
        return auditing.EndConversationAsync(conversationId, cancellationToken);
    }
}
