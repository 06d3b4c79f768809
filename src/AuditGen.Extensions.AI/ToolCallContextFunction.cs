using Microsoft.Extensions.AI;

namespace AuditGen.Extensions.AI;

/// <summary>
/// Runs an <see cref="AIFunction"/> inside an <see cref="AuditContext"/> that carries the model's tool-call id, and records
/// nothing itself: for functions whose target is already audited (a generated <c>Audited*</c> wrapper or an
/// <c>AuditProxy</c>), so their records carry <c>details.toolCallId</c> without being audited twice.
/// </summary>
public sealed class ToolCallContextFunction(AIFunction innerFunction) : DelegatingAIFunction(innerFunction)
{
    /// <inheritdoc />
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var toolCallId = FunctionInvokingChatClient.CurrentContext?.CallContent.CallId;
        if (toolCallId is null || AuditContext.Current?.ToolCallId == toolCallId)
            return await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
        using (AuditContext.BeginToolCall(toolCallId))
            return await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
    }
}
