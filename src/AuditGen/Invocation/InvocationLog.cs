using Microsoft.Extensions.Logging;

namespace AuditGen;

/// <summary>The audit path's log messages (category <c>AuditGen</c>). They name tools and actions, never values.</summary>
internal static class InvocationLog
{
    private static readonly Action<ILogger, string, string, string, Exception?> AppendFailedMessage =
        LoggerMessage.Define<string, string, string>(
            LogLevel.Error,
            new EventId(1001, "AuditAppendFailed"),
            "Audit record {Action} for tool {ToolName} (call {CallId}) could not be made durable; the call went on (fail-open).");

    private static readonly Action<ILogger, string, Exception?> AlertSinkFailedMessage =
        LoggerMessage.Define<string>(
            LogLevel.Error,
            new EventId(1002, "AuditAlertSinkFailed"),
            "The audit alert sink threw while being told about a failed record of tool {ToolName}.");

    public static void AppendFailed(ILogger logger, string action, string toolName, string callId, Exception exception) =>
        AppendFailedMessage(logger, action, toolName, callId, exception);

    public static void AlertSinkFailed(ILogger logger, string toolName, Exception exception) =>
        AlertSinkFailedMessage(logger, toolName, exception);
}
