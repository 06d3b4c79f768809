namespace AuditGen;

/// <summary>Receives audit failures that did not fail the tool call (<see cref="AuditFailurePolicy.FailOpen"/>).</summary>
public interface IAuditAlertSink
{
    /// <summary>Called once per record that could not be made durable. Must not throw.</summary>
    void OnAuditFailure(AuditFailure failure);
}

/// <summary>A record that could not be written.</summary>
/// <param name="Entry">The (already redacted) entry that was not recorded.</param>
/// <param name="Exception">Why.</param>
public sealed record AuditFailure(AuditEntry Entry, Exception Exception);
