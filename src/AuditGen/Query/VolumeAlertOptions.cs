namespace AuditGen.Queries;

/// <summary>
/// When a UTC day's record volume raises an alert (<see cref="AuditStatistics"/>): above a fixed ceiling, or more than
/// <see cref="DeviationThreshold"/> standard deviations above the mean of the <see cref="WindowDays"/> days before it.
/// </summary>
/// <remarks>
/// <para>The deviation rule uses the population standard deviation σ of the window's daily volumes (days without records
/// count as 0) and fires when <c>volume &gt; mean + DeviationThreshold × σ</c>. It needs a full window: a day with fewer than
/// <see cref="WindowDays"/> days of the trail before it (counted from the day of the trail's first record) is judged by
/// the ceiling alone, because a mean over a few days of a new trail is noise. When σ = 0 (a perfectly even history)
/// the rule is applied as written, so any day above the mean alerts.</para>
/// </remarks>
public sealed class VolumeAlertOptions
{
    /// <summary>The rules used when none are configured: 3σ over 14 days, no ceiling.</summary>
    public static VolumeAlertOptions Default { get; } = new();

    /// <summary>A day with more records than this alerts; <see langword="null"/> (the default): no ceiling.</summary>
    public long? DailyCeiling { get; init; }

    /// <summary>How many preceding days the mean and σ are taken over. Default 14.</summary>
    public int WindowDays { get; init; } = 14;

    /// <summary>How many σ above the trailing mean alert. Default 3.</summary>
    public double DeviationThreshold { get; init; } = 3;

    internal void Validate()
    {
        if (DailyCeiling is < 0)
            throw new ArgumentOutOfRangeException(nameof(DailyCeiling), DailyCeiling, "The daily ceiling must not be negative.");
        if (WindowDays < 2)
            throw new ArgumentOutOfRangeException(nameof(WindowDays), WindowDays, "The window must span at least 2 days.");
        if (!(DeviationThreshold > 0) || double.IsInfinity(DeviationThreshold))
            throw new ArgumentOutOfRangeException(nameof(DeviationThreshold), DeviationThreshold, "The deviation threshold must be a positive number.");
    }
}
