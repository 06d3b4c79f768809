using System.ComponentModel;
using System.Diagnostics;

namespace AuditGen;

/// <summary>
/// Appends records that are not tool calls (conversation events, model responses, errors) under the same failure
/// policy rules as <see cref="ToolInvocation"/>: fail-closed awaits durability and turns an audit failure into an
/// <see cref="AuditTrailException"/>; fail-open starts the append and reports a failure to the alert sink, the
/// <c>auditgen.append.failures</c> counter and the log.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class AuditRecorder
{
    /// <summary>
    /// The policy a record of <paramref name="classification"/> runs under: <paramref name="declared"/> unless it is
    /// <see cref="AuditFailurePolicy.Default"/>; then fail-closed for restricted data, else the trail's policy, else fail-open.
    /// </summary>
    public static AuditFailurePolicy ResolvePolicy(AuditFailurePolicy declared, DataClass classification, AuditTrailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ToolInvocation.ResolvePolicy(declared, classification, options);
    }

    /// <summary>
    /// <paramref name="entry"/> with the ambient <see cref="AuditContext"/> (conversation, user, agent, actor) filled in
    /// where the entry leaves them unset, and the W3C trace and span of <see cref="Activity.Current"/>. The actor defaults
    /// to the context's user for <see cref="ActorType.User"/> entries, else to its actor, agent or user.
    /// </summary>
    public static AuditEntry WithAmbientContext(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var context = AuditContext.Current;
        var activity = Activity.Current;
        var traced = activity is not null && activity.IdFormat == ActivityIdFormat.W3C;
        return entry with
        {
            ConversationId = entry.ConversationId ?? context?.ConversationId,
            UserId = entry.UserId ?? context?.UserId,
            AgentName = entry.AgentName ?? context?.AgentName,
            ActorId = entry.ActorId ?? (context is null ? null
                : entry.ActorType == ActorType.User ? context.UserId
                : context.ActorId ?? context.AgentName ?? context.UserId),
            TraceId = entry.TraceId ?? (traced ? activity!.TraceId.ToHexString() : null),
            SpanId = entry.SpanId ?? (traced ? activity!.SpanId.ToHexString() : null),
        };
    }

    /// <summary>Appends <paramref name="entry"/> under <paramref name="policy"/>.</summary>
    /// <returns>Fail-closed: completes when the record is durable. Fail-open: completes at once.</returns>
    /// <exception cref="AuditTrailException">Fail-closed and the record could not be made durable.</exception>
    public static ValueTask AppendAsync(IAuditTrail trail, AuditEntry entry, AuditFailurePolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(entry);
        if (policy == AuditFailurePolicy.FailOpen)
        {
            AppendInBackground(trail, entry);
            return default;
        }

        return AppendDurablyAsync(trail, entry, cancellationToken);
    }

    private static async ValueTask AppendDurablyAsync(IAuditTrail trail, AuditEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await trail.AppendAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var recorded = entry.Error is { } error ? $" (recording a {error.Type})" : string.Empty;
            throw new AuditTrailException(
                $"The {entry.Action.ToWireName()} record{recorded} could not be made durable, so the operation it records was stopped.", ex);
        }
    }

    private static void AppendInBackground(IAuditTrail trail, AuditEntry entry)
    {
        var options = trail.Options;
        ValueTask<AuditRecord> pending;
        try
        {
            pending = trail.AppendAsync(entry);
        }
        catch (Exception ex)
        {
            ToolInvocation.ReportFailure(options, entry, Guid.Empty, ex);
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
                ToolInvocation.ReportFailure(options, entry, Guid.Empty, ex);
            }

            return;
        }

        _ = ObserveAsync(pending, entry, options);
    }

    private static async Task ObserveAsync(ValueTask<AuditRecord> pending, AuditEntry entry, AuditTrailOptions options)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ToolInvocation.ReportFailure(options, entry, Guid.Empty, ex);
        }
    }
}
