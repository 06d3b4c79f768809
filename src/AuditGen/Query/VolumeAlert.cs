namespace AuditGen.Queries;

/// <summary>Which rule a day's volume broke.</summary>
[Flags]
public enum VolumeAlertKind
{
    /// <summary>No rule.</summary>
    None = 0,

    /// <summary>More records than <see cref="VolumeAlertOptions.DailyCeiling"/>.</summary>
    Ceiling = 1,

    /// <summary>More than <see cref="VolumeAlertOptions.DeviationThreshold"/> σ above the trailing mean.</summary>
    Deviation = 2,
}

/// <summary>A UTC day whose record volume broke an alert rule.</summary>
/// <param name="Day">The UTC day.</param>
/// <param name="Records">Its record volume.</param>
/// <param name="Kind">The rules it broke.</param>
/// <param name="Ceiling">The configured ceiling, if any.</param>
/// <param name="TrailingMean">The mean daily volume of the window before it, when the window was full.</param>
/// <param name="TrailingStandardDeviation">The window's population standard deviation, when the window was full.</param>
/// <param name="DeviationLimit">mean + threshold × σ: the volume above which the deviation rule fires, when the window was full.</param>
public sealed record VolumeAlert(DateOnly Day, long Records, VolumeAlertKind Kind, long? Ceiling, double? TrailingMean,
    double? TrailingStandardDeviation, double? DeviationLimit);
