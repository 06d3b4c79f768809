namespace AuditGen.Queries;

/// <summary>The two volume rules of <see cref="VolumeAlertOptions"/>, applied to one day.</summary>
internal static class VolumeRules
{
    /// <summary>The alert <paramref name="day"/> raises with <paramref name="records"/>, or <see langword="null"/>.</summary>
    /// <param name="day">The day judged.</param>
    /// <param name="records">Its volume.</param>
    /// <param name="volumes">Daily volumes of the days before it (absent = 0).</param>
    /// <param name="rules">The rules.</param>
    /// <param name="trailStart">The day of the trail's first record: the window must not reach before it.</param>
    public static VolumeAlert? Evaluate(DateOnly day, long records, IReadOnlyDictionary<DateOnly, long> volumes, VolumeAlertOptions rules, DateOnly? trailStart)
    {
        var kind = VolumeAlertKind.None;
        if (rules.DailyCeiling is { } ceiling && records > ceiling)
            kind |= VolumeAlertKind.Ceiling;

        double? mean = null, sigma = null, limit = null;
        var windowStart = day.AddDays(-rules.WindowDays);
        if (trailStart is { } start && windowStart >= start)
        {
            var n = rules.WindowDays;
            var window = new double[n];
            for (var i = 0; i < n; i++)
                window[i] = volumes.GetValueOrDefault(windowStart.AddDays(i));
            mean = window.Sum() / n;
            // Population σ, from the deviations (an even history gives exactly 0).
            sigma = Math.Sqrt(window.Sum(v => (v - mean.Value) * (v - mean.Value)) / n);
            limit = mean + rules.DeviationThreshold * sigma;
            if (records > limit)
                kind |= VolumeAlertKind.Deviation;
        }

        return kind == VolumeAlertKind.None ? null : new VolumeAlert(day, records, kind, rules.DailyCeiling, mean, sigma, limit);
    }
}
