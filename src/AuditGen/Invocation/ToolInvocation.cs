using System.ComponentModel;
using System.Diagnostics;
using AuditGen.Redaction;

namespace AuditGen;

/// <summary>
/// One audited tool call in flight. Generated wrappers (and the runtime interceptors) drive it in this order:
/// <c>Start</c>, one <c>Argument</c> per parameter (or <c>BeginObjectArgument</c>,
/// <c>ObjectProperty</c>…, <c>EndObjectArgument</c> for an argument whose type has classified
/// properties), <c>InvokedAsync</c>, the tool itself, then <c>CompletedAsync(result)</c> /
/// <c>CompletedAsync()</c> or <c>FailedAsync</c>. Synchronous tools use <c>Invoked</c>,
/// <c>Completed(result)</c>, <c>Completed()</c> and <c>Failed</c>.
/// Arguments are redacted as they are captured: no raw classified value outlives the call in the audit path.
/// </summary>
/// <remarks>
/// <para><b>Records.</b> <c>tool_invoked</c> (details <c>{"callId","toolCallId"?,"arguments":{…},"dataAction"?}</c>), then
/// <c>tool_completed</c> (<c>{"callId","toolCallId"?,"result"?}</c>) or <c>tool_failed</c> (<c>{"callId","toolCallId"?}</c> and an
/// <see cref="AuditError"/> with the exception's type and redacted message). All carry the tool's name, resource type,
/// classification and domains, the ambient <see cref="AuditContext"/>, the W3C trace and span of
/// <see cref="Activity.Current"/>, and the redacted <c>ResourceId</c>/<c>SubjectId</c>.</para>
/// <para><b>Redaction.</b> A declared <see cref="RedactionStrategy"/> wins; otherwise confidential values become HMAC
/// pseudonyms and restricted values are erased; unclassified, public and internal values are recorded as they are. An
/// object argument's unclassified property inherits the argument's classification. The result uses
/// <see cref="ToolReturn.Classification"/>, or the tool's classification when that is not set. Exception messages get
/// the raw text of this call's redacted arguments replaced by <c>[redacted:name]</c>, then the personal-data pattern pass.</para>
/// <para><b>Value limits.</b> A value whose text is longer than <see cref="AuditTrailOptions.MaxCapturedValueLength"/>
/// characters is recorded as <c>{"$truncated":true,"length":N,"prefix":"…"}</c>, the prefix being its first
/// <c>MaxCapturedValueLength</c> characters (of its JSON text, for objects). A value the serializer cannot handle (a
/// cycle, an unsupported type, a throwing getter) is recorded as
/// <c>{"$unserializable":"Type.Full.Name","reason":"Exception.Type"}</c>; the call goes on.</para>
/// <para><b>Failure policy.</b> The tool's own policy, else fail-closed for restricted tools, else the trail's, else
/// fail-open. Fail-closed: <c>InvokedAsync</c> completes only once <c>tool_invoked</c> is durable (so the tool never
/// runs unrecorded), <c>CompletedAsync</c> only once <c>tool_completed</c> is durable (so no result reaches the caller
/// unrecorded), and an audit failure throws <see cref="AuditTrailException"/>. Fail-open: the append is started and
/// not awaited; a failure is counted (<c>auditgen.append.failures</c> on the <c>AuditGen</c> meter), passed to
/// <see cref="AuditTrailOptions.AlertSink"/> and logged (category <c>AuditGen</c>).</para>
/// <para>Not thread-safe: one call, one flow. The synchronous methods block on the append under fail-closed.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed partial class ToolInvocation
{
    private readonly IAuditTrail _trail;
    private readonly ToolDescriptor _tool;
    private readonly AuditTrailOptions _options;
    private readonly RedactionEngine _redaction;
    private readonly TimeProvider _time;
    private readonly AuditContext? _context;
    private readonly string? _traceId;
    private readonly string? _spanId;
    private readonly long _startTimestamp;
    private readonly Guid _callId;
    private readonly AuditFailurePolicy _policy;
    private Stage _stage;

    private ToolInvocation(IAuditTrail trail, ToolDescriptor tool)
    {
        _trail = trail;
        _tool = tool;
        _options = trail.Options ?? throw new ArgumentException("The trail has no options.", nameof(trail));
        _redaction = _options.Redaction;
        _time = _options.TimeProvider ?? TimeProvider.System;
        _context = AuditContext.Current;
        _policy = ResolvePolicy(tool, _options);
        _callId = CallId.Next();
        BeginSealing();

        // The call's own span when someone listens, else the caller's: the records point at it either way.
        StartSpan();
        var activity = Activity.Current;
        if (activity is not null && activity.IdFormat == ActivityIdFormat.W3C)
        {
            _traceId = activity.TraceId.ToHexString();
            _spanId = activity.SpanId.ToHexString();
        }

        BeginArguments();
        _startTimestamp = _time.GetTimestamp();
    }

    private enum Stage : byte
    {
        Capturing,
        Invoked,
        Ended,
    }

    /// <summary>Starts auditing one call of <paramref name="tool"/> on <paramref name="trail"/>, capturing the ambient <see cref="AuditContext"/>, the current activity and the start time.</summary>
    public static ToolInvocation Start(IAuditTrail trail, ToolDescriptor tool)
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(tool);
        return new ToolInvocation(trail, tool);
    }

    /// <summary>Records <c>tool_invoked</c>. Fail-closed: completes when the record is durable; fail-open: completes at once.</summary>
    /// <exception cref="AuditTrailException">Fail-closed and the record could not be made durable: the tool must not run.</exception>
    public ValueTask InvokedAsync() => AbortSpanOnFailure(Record(CreateInvokedEntry(), toolException: null));

    /// <summary>Synchronous <see cref="InvokedAsync"/>.</summary>
    /// <exception cref="AuditTrailException">Fail-closed and the record could not be made durable: the tool must not run.</exception>
    public void Invoked()
    {
        var entry = CreateInvokedEntry();
        try
        {
            RecordNow(entry, toolException: null);
        }
        catch (Exception ex)
        {
            EndSpan(ex, recordDuration: false);
            throw;
        }
    }

    /// <summary>Records <c>tool_completed</c> with the (redacted) result.</summary>
    /// <exception cref="AuditTrailException">Fail-closed and the record could not be made durable: the result must not be returned.</exception>
    public ValueTask CompletedAsync<T>(T result) => EndSpanAfter(Record(CreateCompletedEntry(result, hasResult: true), toolException: null), toolException: null);

    /// <summary>Records <c>tool_completed</c> for a tool without a result.</summary>
    /// <exception cref="AuditTrailException">Fail-closed and the record could not be made durable.</exception>
    public ValueTask CompletedAsync() => EndSpanAfter(Record(CreateCompletedEntry<object?>(null, hasResult: false), toolException: null), toolException: null);

    /// <summary>Synchronous <see cref="CompletedAsync{T}(T)"/>.</summary>
    /// <exception cref="AuditTrailException">Fail-closed and the record could not be made durable: the result must not be returned.</exception>
    public void Completed<T>(T result) => RecordEndNow(CreateCompletedEntry(result, hasResult: true), toolException: null);

    /// <summary>Synchronous <see cref="CompletedAsync()"/>.</summary>
    /// <exception cref="AuditTrailException">Fail-closed and the record could not be made durable.</exception>
    public void Completed() => RecordEndNow(CreateCompletedEntry<object?>(null, hasResult: false), toolException: null);

    /// <summary>Records <c>tool_failed</c> with the exception's type and redacted message. Never throws the tool's exception; the caller rethrows it.</summary>
    /// <exception cref="AuditTrailException">Fail-closed and the failure record itself could not be made durable; its message names the tool's exception type and its inner exception is the audit failure.</exception>
    public ValueTask FailedAsync(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return EndSpanAfter(Record(CreateFailedEntry(exception), exception), exception);
    }

    /// <summary>Synchronous <see cref="FailedAsync"/>.</summary>
    /// <exception cref="AuditTrailException">Fail-closed and the failure record itself could not be made durable.</exception>
    public void Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        RecordEndNow(CreateFailedEntry(exception), exception);
    }

    /// <summary>The policy a call of <paramref name="tool"/> runs under (see the class remarks).</summary>
    internal static AuditFailurePolicy ResolvePolicy(ToolDescriptor tool, AuditTrailOptions options) =>
        ResolvePolicy(tool.FailurePolicy, tool.Classification, options);

    /// <summary>The policy for a record of <paramref name="classification"/> that declares <paramref name="declared"/> (see the class remarks).</summary>
    internal static AuditFailurePolicy ResolvePolicy(AuditFailurePolicy declared, DataClass classification, AuditTrailOptions options)
    {
        if (declared != AuditFailurePolicy.Default)
            return declared;
        if (classification == DataClass.Restricted)
            return AuditFailurePolicy.FailClosed;
        if (options.FailurePolicy != AuditFailurePolicy.Default)
            return options.FailurePolicy;
        return AuditFailurePolicy.FailOpen;
    }

    private void EnsureStage(Stage expected, string operation)
    {
        if (_stage != expected)
        {
            throw new InvalidOperationException(
                $"ToolInvocation of tool '{_tool.Name}': {operation} is not valid when the call is {StageName(_stage)} " +
                "(the order is Start, Argument…, InvokedAsync, then CompletedAsync or FailedAsync, once).");
        }
    }

    private static string StageName(Stage stage) => stage switch
    {
        Stage.Capturing => "not yet invoked",
        Stage.Invoked => "invoked",
        _ => "ended",
    };
}
