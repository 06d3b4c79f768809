using AuditGen.Canonical;

namespace AuditGen.Storage;

/// <summary>What every trail checks on the caller's thread before an entry is queued, so the single writer only sequences and hashes.</summary>
internal static class AppendValidation
{
    /// <summary>Validates <paramref name="entry"/>'s enum values and returns its details in RFC 8785 form.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An enum value is not defined.</exception>
    /// <exception cref="ArgumentException">The details are not a JSON object.</exception>
    public static string? Prepare(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _ = entry.Action.ToWireName();
        _ = entry.ActorType.ToWireName();
        _ = entry.Classification.ToWireName();
        _ = entry.Outcome.ToWireName();
        _ = entry.Domains.ToWireNames();
        return entry.Details is null ? null : System.Text.Encoding.UTF8.GetString(AuditRecordCodec.CanonicalizeDetails(entry.Details));
    }
}
