using AuditGen.Redaction;
using AuditGen.Telemetry;

namespace AuditGen;

/// <summary>Record construction and the failure policy: awaiting durability (fail-closed) or observing in the background (fail-open).</summary>
public sealed partial class ToolInvocation
{
    private const string TruncatedMessageSuffix = "…[truncated]";

    private AuditEntry CreateInvokedEntry()
    {
        EnsureStage(Stage.Capturing, nameof(InvokedAsync));
        var details = EndArguments();
        try
        {
            EnsureSealSubject();
        }
        catch (Exception ex)
        {
            _stage = Stage.Ended;
            ForgetSecrets();
            EndSpan(ex, recordDuration: false);
            throw;
        }
        _stage = Stage.Invoked;
        var entry = CreateEntry(AuditAction.ToolInvoked, AuditOutcome.Success, durationMicros: null, details, error: null);
        return _sealing is null ? entry : entry with { SealedPayloads = TakeSealed(ref _sealedValues) };
    }

    private AuditEntry CreateCompletedEntry<T>(T result, bool hasResult)
    {
        EnsureStage(Stage.Invoked, nameof(CompletedAsync));
        var duration = _durationMicros = ElapsedMicros();
        var details = ResultDetails(result, hasResult);
        _stage = Stage.Ended;
        ForgetSecrets();
        var entry = CreateEntry(AuditAction.ToolCompleted, AuditOutcome.Success, duration, details, error: null);
        return _sealing is null ? entry : entry with { SealedPayloads = TakeSealed(ref _resultSeals) };
    }

    private AuditEntry CreateFailedEntry(Exception exception)
    {
        EnsureStage(Stage.Invoked, nameof(FailedAsync));
        var duration = _durationMicros = ElapsedMicros();
        var type = exception.GetType();
        var error = new AuditError(type.FullName ?? type.Name, RedactMessage(exception.Message));
        _stage = Stage.Ended;
        ForgetSecrets();
        var writer = DetailsWriter.Rent();
        writer.Json.WriteStartObject();
        writer.Json.WriteString(DetailNames.CallId, _callId);
        WriteToolCallId(writer.Json);
        writer.Json.WriteEndObject();
        return CreateEntry(AuditAction.ToolFailed, AuditOutcome.Failure, duration, writer.ToStringAndReturn(), error);
    }

    private AuditEntry CreateEntry(AuditAction action, AuditOutcome outcome, long? durationMicros, string details, AuditError? error)
    {
        var context = _context;
        return new AuditEntry
        {
            Action = action,
            ActorId = context is null ? null : context.ActorId ?? context.AgentName ?? context.UserId,
            ActorType = context?.ActorType ?? ActorType.Agent,
            ConversationId = context?.ConversationId,
            UserId = context?.UserId,
            AgentName = context?.AgentName,
            SubjectId = _subjectId,
            ResourceId = _resourceId,
            ToolName = _tool.Name,
            ResourceType = _tool.ResourceType,
            Classification = _tool.Classification,
            Domains = _tool.Domains,
            Outcome = outcome,
            DurationMicros = durationMicros,
            Details = details,
            Error = error,
            TraceId = _traceId,
            SpanId = _spanId,
        };
    }

    private long ElapsedMicros() => _time.GetElapsedTime(_startTimestamp).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>
    /// The message as recorded: this call's redacted argument values replaced by <c>[redacted:name]</c> (longest
    /// first, ignoring case), then the personal-data pattern pass, then the length limit.
    /// </summary>
    private string RedactMessage(string? message)
    {
        if (string.IsNullOrEmpty(message))
            return string.Empty;

        var text = message;
        var secrets = _secrets;
        if (secrets is not null)
        {
            // Longest first, so a value that contains another is replaced whole. Calls have a handful of arguments.
            Span<bool> done = stackalloc bool[_secretCount];
            done.Clear(); // the module skips locals init
            for (var round = 0; round < _secretCount; round++)
            {
                var longest = -1;
                for (var i = 0; i < _secretCount; i++)
                {
                    if (!done[i] && (longest < 0 || secrets[i].Raw.Length > secrets[longest].Raw.Length))
                        longest = i;
                }

                done[longest] = true;
                var secret = secrets[longest];
                if (text.Contains(secret.Raw, StringComparison.OrdinalIgnoreCase))
                    text = text.Replace(secret.Raw, "[redacted:" + secret.Name + "]", StringComparison.OrdinalIgnoreCase);
            }
        }

        text = TextPatternRedactor.Redact(text);

        var max = Math.Max(0, _options.MaxCapturedValueLength);
        if (text.Length > max)
        {
            var cut = max > 0 && char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
            text = string.Concat(text.AsSpan(0, cut), TruncatedMessageSuffix);
        }

        return text;
    }

    private ValueTask Record(AuditEntry entry, Exception? toolException)
    {
        if (_policy == AuditFailurePolicy.FailOpen)
        {
            RecordInBackground(entry);
            return default;
        }

        // Anything but fail-open (including an undefined value) waits for durability.
        return RecordDurablyAsync(entry, toolException);
    }

    private async ValueTask RecordDurablyAsync(AuditEntry entry, Exception? toolException)
    {
        try
        {
            await _trail.AppendAsync(entry).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw DurabilityFailure(entry.Action, ex, toolException);
        }
    }

    private void RecordNow(AuditEntry entry, Exception? toolException)
    {
        if (_policy == AuditFailurePolicy.FailOpen)
        {
            RecordInBackground(entry);
            return;
        }

        try
        {
            var pending = _trail.AppendAsync(entry);
            if (pending.IsCompleted)
                _ = pending.GetAwaiter().GetResult();
            else
                _ = pending.AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            throw DurabilityFailure(entry.Action, ex, toolException);
        }
    }

    private void RecordInBackground(AuditEntry entry)
    {
        ValueTask<AuditRecord> pending;
        try
        {
            pending = _trail.AppendAsync(entry);
        }
        catch (Exception ex)
        {
            ReportFailure(_options, entry, _callId, ex);
            return;
        }

        if (pending.IsCompleted)
        {
            try
            {
                _ = pending.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                ReportFailure(_options, entry, _callId, ex);
            }

            return;
        }

        _ = ObserveAsync(pending, entry, _options, _callId);
    }

    /// <summary>Waits for a fail-open append so that its failure is reported, never left unobserved.</summary>
    private static async Task ObserveAsync(ValueTask<AuditRecord> pending, AuditEntry entry, AuditTrailOptions options, Guid callId)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ReportFailure(options, entry, callId, ex);
        }
    }

    /// <summary>
    /// A fail-open audit failure: counted, passed to the alert sink and logged. A sink that breaks its contract and
    /// throws is logged too; with no logger configured its exception propagates (it is not hidden).
    /// </summary>
    internal static void ReportFailure(AuditTrailOptions options, AuditEntry entry, Guid callId, Exception exception)
    {
        var action = entry.Action.ToWireName();
        var toolName = entry.ToolName ?? string.Empty;
        AuditGenMetrics.AppendFailures.Add(
            1,
            new KeyValuePair<string, object?>("gen_ai.tool.name", toolName),
            new KeyValuePair<string, object?>("auditgen.action", action));

        var logger = options.AuditLogger;
        var sink = options.AlertSink;
        if (sink is not null)
        {
            try
            {
                sink.OnAuditFailure(new AuditFailure(entry, exception));
            }
            catch (Exception sinkException) when (logger is not null)
            {
                InvocationLog.AlertSinkFailed(logger, toolName, sinkException);
            }
        }

        if (logger is not null)
            InvocationLog.AppendFailed(logger, action, toolName, callId.ToString(), exception);
    }

    private AuditTrailException DurabilityFailure(AuditAction action, Exception auditFailure, Exception? toolException)
    {
        var message = action switch
        {
            AuditAction.ToolInvoked => $"Tool '{_tool.Name}' was not run: its audit record could not be made durable.",
            AuditAction.ToolCompleted => $"Tool '{_tool.Name}' completed, but its result was withheld: its completion audit record could not be made durable.",
            _ => $"Tool '{_tool.Name}' failed with {toolException?.GetType().FullName ?? "an exception"}, and its failure audit record could not be made durable.",
        };
        return new AuditTrailException(message, auditFailure);
    }
}
