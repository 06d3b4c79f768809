namespace AuditGen;

/// <summary>Receives audit failures that did not fail the tool call (<see cref="AuditFailurePolicy.FailOpen"/>), and volume alerts.</summary>
public interface IAuditAlertSink
{
    /// <summary>Called once per record that could not be made durable. Must not throw.</summary>
    void OnAuditFailure(AuditFailure failure);

    /// <summary>
    /// Called once per day whose record volume broke a rule of <see cref="Queries.VolumeAlertOptions"/> in a statistics
    /// pass (<see cref="Queries.AuditStatistics"/>). Must not throw. The default does nothing, so existing sinks are unchanged.
    /// </summary>
    void OnVolumeAlert(Queries.VolumeAlert alert)
    {
    }
}

/// <summary>A record that could not be written.</summary>
/// <param name="Entry">The (already redacted) entry that was not recorded.</param>
/// <param name="Exception">Why.</param>
public sealed record AuditFailure(AuditEntry Entry, Exception Exception);
