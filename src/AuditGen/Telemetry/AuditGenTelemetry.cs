using System.ComponentModel;
using System.Diagnostics;

namespace AuditGen.Telemetry;

/// <summary>
/// AuditGen's OpenTelemetry surface: one <see cref="ActivitySource"/> and one <see cref="System.Diagnostics.Metrics.Meter"/>,
/// both named <see cref="Name"/> (<c>AuditGen</c>). Subscribe with <c>AddSource("AuditGen")</c> / <c>AddMeter("AuditGen")</c>.
/// </summary>
/// <remarks>
/// <para><b>Spans.</b> Every tool call made through <see cref="ToolInvocation"/> (generated wrappers, runtime proxies,
/// audited AI functions, the MCP filter) is an <c>execute_tool {gen_ai.tool.name}</c> span of kind
/// <see cref="ActivityKind.Internal"/> with <c>gen_ai.operation.name</c> = <c>execute_tool</c>,
/// <c>gen_ai.tool.name</c>, <c>gen_ai.tool.call.id</c> (the model's or protocol's id for the call,
/// <see cref="AuditContext.ToolCallId"/> and the records' <c>details.toolCallId</c>, when there is one; else the id
/// that pairs the call's audit records, their <c>details.callId</c>), <c>gen_ai.conversation.id</c> and <c>gen_ai.agent.name</c> when the
/// <see cref="AuditContext"/> has them, and on failure <c>error.type</c> (the exception's type name) with status
/// <see cref="ActivityStatusCode.Error"/>. The call's audit records carry the span's trace and span ids, so a record
/// leads to its trace and a span to its records.</para>
/// <para><b>Metrics.</b> <c>gen_ai.execute_tool.duration</c> (s), <c>auditgen.records.appended</c>,
/// <c>auditgen.append.duration</c> (s), <c>auditgen.queue.depth</c>, <c>auditgen.verification.failures</c>,
/// <c>auditgen.append.failures</c>, <c>auditgen.spool.failures</c>, <c>auditgen.volume.alerts</c>.</para>
/// <para><b>No personal data.</b> No tag carries an argument, a result, a subject or resource id, a user id or an
/// exception message: only tool, conversation and agent names, ids AuditGen generates, type names and counts.</para>
/// <para>Without a listener nothing is allocated or measured: the source and the instruments are checked first.</para>
/// </remarks>
public static class AuditGenTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "AuditGen";

    /// <summary>The <c>gen_ai.execute_tool.duration</c> histogram (seconds).</summary>
    public const string ToolDurationName = "gen_ai.execute_tool.duration";
    /// <summary>The <c>auditgen.records.appended</c> counter.</summary>
    public const string RecordsAppendedName = "auditgen.records.appended";
    /// <summary>The <c>auditgen.append.duration</c> histogram (seconds, queued to durable).</summary>
    public const string AppendDurationName = "auditgen.append.duration";
    /// <summary>The <c>auditgen.queue.depth</c> gauge.</summary>
    public const string QueueDepthName = "auditgen.queue.depth";
    /// <summary>The <c>auditgen.verification.failures</c> counter.</summary>
    public const string VerificationFailuresName = "auditgen.verification.failures";

    /// <summary>The <c>auditgen.volume.alerts</c> counter (statistics passes).</summary>
    public const string VolumeAlertsName = "auditgen.volume.alerts";
    /// <summary>Tag of <c>auditgen.volume.alerts</c>: the rule broken (<c>ceiling</c> or <c>deviation</c>).</summary>
    public const string AlertKindTag = "auditgen.alert.kind";

    /// <summary>The <c>execute_tool</c> operation name.</summary>
    public const string ExecuteToolOperation = "execute_tool";
    /// <summary>Tag: the GenAI operation.</summary>
    public const string OperationNameTag = "gen_ai.operation.name";
    /// <summary>Tag: the tool name.</summary>
    public const string ToolNameTag = "gen_ai.tool.name";
    /// <summary>Tag: the tool call id.</summary>
    public const string ToolCallIdTag = "gen_ai.tool.call.id";
    /// <summary>Tag: the tool type (<c>function</c>).</summary>
    public const string ToolTypeTag = "gen_ai.tool.type";
    /// <summary>Tag: the conversation id.</summary>
    public const string ConversationIdTag = "gen_ai.conversation.id";
    /// <summary>Tag: the agent name.</summary>
    public const string AgentNameTag = "gen_ai.agent.name";
    /// <summary>Tag: the error's type.</summary>
    public const string ErrorTypeTag = "error.type";
    /// <summary>Tag of <c>auditgen.queue.depth</c>: the trail.</summary>
    public const string TrailTag = "auditgen.trail";
    /// <summary>Tag of <c>auditgen.verification.failures</c>: the failure kind (<c>hash_mismatch</c>, <c>gap</c>, …).</summary>
    public const string VerificationFailureTag = "auditgen.verification.failure";

    internal static readonly string Version =
        typeof(AuditGenTelemetry).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>The <c>AuditGen</c> activity source.</summary>
    internal static ActivitySource Source { get; } = new(Name, Version);

    /// <summary>
    /// For stores outside this assembly: counts <paramref name="count"/> records made durable
    /// (<c>auditgen.records.appended</c>).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public static void RecordsAppended(int count)
    {
        if (count > 0 && AuditGenMetrics.RecordsAppended.Enabled)
            AuditGenMetrics.RecordsAppended.Add(count);
    }

    /// <summary>For stores outside this assembly: records one append's time from queued to durable (<c>auditgen.append.duration</c>).</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public static void AppendCompleted(TimeSpan elapsed)
    {
        if (AuditGenMetrics.AppendDuration.Enabled)
            AuditGenMetrics.AppendDuration.Record(elapsed.TotalSeconds);
    }

    /// <summary>Whether <c>auditgen.append.duration</c> has a listener (so a store can skip taking timestamps).</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public static bool IsAppendDurationEnabled => AuditGenMetrics.AppendDuration.Enabled;

    /// <summary>For stores: counts a failed verification (<c>auditgen.verification.failures</c>, tagged with the failure kind). A valid result is not counted.</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public static void VerificationCompleted(VerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!result.IsValid && AuditGenMetrics.VerificationFailures.Enabled)
        {
            AuditGenMetrics.VerificationFailures.Add(1, new KeyValuePair<string, object?>(VerificationFailureTag, FailureName(result.Failure)));
        }
    }

    private static string FailureName(VerificationFailure failure) => failure switch
    {
        VerificationFailure.HashMismatch => "hash_mismatch",
        VerificationFailure.PreviousHashMismatch => "previous_hash_mismatch",
        VerificationFailure.Gap => "gap",
        VerificationFailure.Reorder => "reorder",
        VerificationFailure.Malformed => "malformed",
        VerificationFailure.JournalMismatch => "journal_mismatch",
        _ => "unknown",
    };
}
