namespace AuditGen.Queries;

/// <summary>What a statistics pass covers and how it alerts.</summary>
public sealed record AuditStatisticsOptions
{
    /// <summary>Only records at or after this time (a day cut by it counts only its records in range).</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only records before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>The alert rules; <see langword="null"/>: the trail's <see cref="AuditTrailOptions.VolumeAlerts"/>, else <see cref="VolumeAlertOptions.Default"/>.</summary>
    public VolumeAlertOptions? Alerts { get; init; }

    /// <summary>
    /// Raise the alerts found through the trail's logger, the <c>auditgen.volume.alerts</c> counter and its
    /// <see cref="IAuditAlertSink"/> (default). Off: they are only reported in the result.
    /// </summary>
    public bool RaiseAlerts { get; init; } = true;
}
