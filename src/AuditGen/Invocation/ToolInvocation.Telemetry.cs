using System.Diagnostics;
using AuditGen.Telemetry;

namespace AuditGen;

/// <summary>The call's <c>execute_tool</c> span and its duration measurement (see <see cref="AuditGenTelemetry"/>).</summary>
public sealed partial class ToolInvocation
{
    private Activity? _activity;
    private long _durationMicros;

    /// <summary>Starts <c>execute_tool {tool}</c> as the current activity, only when the source has a listener.</summary>
    private void StartSpan()
    {
        var source = AuditGenTelemetry.Source;
        if (!source.HasListeners())
            return;
        var activity = source.StartActivity(_tool.SpanName, ActivityKind.Internal);
        if (activity is null)
            return;
        if (activity.IsAllDataRequested)
        {
            // Names and generated ids only: never an argument, a subject, a user id or a message.
            activity.SetTag(AuditGenTelemetry.OperationNameTag, AuditGenTelemetry.ExecuteToolOperation);
            activity.SetTag(AuditGenTelemetry.ToolNameTag, _tool.Name);
            activity.SetTag(AuditGenTelemetry.ToolTypeTag, "function");
            // The model's (or protocol's) id for the call when there is one, else the id that pairs the call's records.
            activity.SetTag(AuditGenTelemetry.ToolCallIdTag, _context?.ToolCallId ?? _callId.ToString());
            if (_context?.ConversationId is { } conversation)
                activity.SetTag(AuditGenTelemetry.ConversationIdTag, conversation);
            if (_context?.AgentName is { } agent)
                activity.SetTag(AuditGenTelemetry.AgentNameTag, agent);
        }

        _activity = activity;
    }

    /// <summary>Ends the span once <paramref name="pending"/> (the last record) completes; failures end it in error.</summary>
    private ValueTask EndSpanAfter(ValueTask pending, Exception? toolException)
    {
        if (_activity is null && !AuditGenMetrics.ToolDuration.Enabled)
            return pending;
        if (pending.IsCompletedSuccessfully)
        {
            EndSpan(toolException, recordDuration: true);
            return default;
        }

        return EndSpanAfterAsync(pending, toolException);
    }

    private async ValueTask EndSpanAfterAsync(ValueTask pending, Exception? toolException)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception auditFailure)
        {
            EndSpan(toolException ?? auditFailure, recordDuration: true);
            throw;
        }

        EndSpan(toolException, recordDuration: true);
    }

    /// <summary>The tool_invoked record could not be made durable (fail-closed): the tool will not run, the span ends in error.</summary>
    private ValueTask AbortSpanOnFailure(ValueTask pending)
    {
        if (_activity is null || pending.IsCompletedSuccessfully)
            return pending;
        return AbortSpanOnFailureAsync(pending);
    }

    private async ValueTask AbortSpanOnFailureAsync(ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception auditFailure)
        {
            EndSpan(auditFailure, recordDuration: false);
            throw;
        }
    }

    /// <summary>Synchronous end: records, then ends the span (in error if the tool or the audit failed).</summary>
    private void RecordEndNow(AuditEntry entry, Exception? toolException)
    {
        try
        {
            RecordNow(entry, toolException);
        }
        catch (Exception auditFailure)
        {
            EndSpan(toolException ?? auditFailure, recordDuration: true);
            throw;
        }

        EndSpan(toolException, recordDuration: true);
    }

    private void EndSpan(Exception? error, bool recordDuration)
    {
        var errorType = error is null ? null : ErrorType(error);
        var activity = _activity;
        if (activity is not null)
        {
            _activity = null;
            if (errorType is not null)
            {
                activity.SetTag(AuditGenTelemetry.ErrorTypeTag, errorType);
                // No description: an exception message may carry personal data.
                activity.SetStatus(ActivityStatusCode.Error);
            }

            activity.Stop();
        }

        var histogram = AuditGenMetrics.ToolDuration;
        if (recordDuration && histogram.Enabled)
        {
            var seconds = _durationMicros / 1_000_000d;
            var operation = new KeyValuePair<string, object?>(AuditGenTelemetry.OperationNameTag, AuditGenTelemetry.ExecuteToolOperation);
            var tool = new KeyValuePair<string, object?>(AuditGenTelemetry.ToolNameTag, _tool.Name);
            if (errorType is null)
                histogram.Record(seconds, operation, tool);
            else
                histogram.Record(seconds, operation, tool, new KeyValuePair<string, object?>(AuditGenTelemetry.ErrorTypeTag, errorType));
        }
    }

    private static string ErrorType(Exception error)
    {
        var type = error.GetType();
        return type.FullName ?? type.Name;
    }
}
