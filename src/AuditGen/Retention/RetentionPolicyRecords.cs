using System.Text.Json;
using AuditGen.Canonical;

namespace AuditGen.Retention;

/// <summary>
/// The <c>retention_policy_changed</c> record: the retention configuration in force from that point of the log on.
/// Details: <c>{"fingerprint": "&lt;16 hex&gt;", "policySet": &lt;RetentionPolicySet.ToCanonicalJson()&gt;}</c>.
/// <c>RetentionApplier</c> appends one before it archives whenever the configuration differs from the last one
/// recorded, so every archive is made under a recorded configuration.
/// </summary>
public static class RetentionPolicyRecords
{
    /// <summary>The policy set (canonical JSON) the last <c>retention_policy_changed</c> record put in force, or <see langword="null"/> when none was recorded.</summary>
    /// <exception cref="AuditTrailException">That record's details are not a policy set.</exception>
    public static async Task<string?> ReadLastAsync(IAuditTrail trail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trail);
        AuditRecord? last = null;
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.RetentionPolicyChanged }, cancellationToken).ConfigureAwait(false))
            last = record;
        if (last is null)
            return null;
        try
        {
            using var details = JsonDocument.Parse(last.Details ?? "null");
            if (details.RootElement.ValueKind == JsonValueKind.Object && details.RootElement.TryGetProperty("policySet", out var set) && set.ValueKind == JsonValueKind.Object)
                return JsonCanonicalizer.Canonicalize(set.GetRawText());
        }
        catch (JsonException e)
        {
            throw new AuditTrailException($"The retention_policy_changed record at sequence {last.Sequence} has details that are not JSON: {e.Message}", e);
        }
        throw new AuditTrailException($"The retention_policy_changed record at sequence {last.Sequence} carries no \"policySet\" object.");
    }

    /// <summary>Whether <paramref name="policies"/> differs from the last recorded configuration (or none was recorded).</summary>
    public static async Task<bool> DiffersFromRecordedAsync(IAuditTrail trail, RetentionPolicySet policies, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policies);
        return await ReadLastAsync(trail, cancellationToken).ConfigureAwait(false) != policies.ToCanonicalJson();
    }

    /// <summary>Appends a <c>retention_policy_changed</c> record putting <paramref name="policies"/> in force, and returns it once durable.</summary>
    /// <param name="trail">The trail.</param>
    /// <param name="policies">The configuration now in force.</param>
    /// <param name="changedBy">Who changed it (an operator, or the service applying retention).</param>
    /// <param name="cancellationToken">Cancels waiting for the record.</param>
    public static async Task<AuditRecord> RecordAsync(IAuditTrail trail, RetentionPolicySet policies, string changedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentException.ThrowIfNullOrWhiteSpace(changedBy);
        var details = LegalHoldRecords.Json(json =>
        {
            json.WriteString("fingerprint", policies.Fingerprint);
            json.WritePropertyName("policySet");
            json.WriteRawValue(policies.ToCanonicalJson(), skipInputValidation: true);
        });
        return await trail.AppendAsync(new AuditEntry
        {
            Action = AuditAction.RetentionPolicyChanged,
            ActorId = changedBy,
            ActorType = ActorType.Admin,
            ResourceType = "retention_policy",
            ResourceId = policies.Fingerprint,
            Classification = DataClass.Internal,
            Outcome = AuditOutcome.Success,
            Details = details,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records <paramref name="policies"/> when it differs from the last recorded configuration; returns the new record, or <see langword="null"/> when unchanged.</summary>
    public static async Task<AuditRecord?> RecordIfChangedAsync(IAuditTrail trail, RetentionPolicySet policies, string changedBy, CancellationToken cancellationToken = default) =>
        await DiffersFromRecordedAsync(trail, policies, cancellationToken).ConfigureAwait(false)
            ? await RecordAsync(trail, policies, changedBy, cancellationToken).ConfigureAwait(false)
            : null;
}
