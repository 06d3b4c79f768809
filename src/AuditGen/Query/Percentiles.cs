namespace AuditGen.Queries;

/// <summary>Exact percentiles by the nearest-rank definition.</summary>
public static class Percentiles
{
    /// <summary>
    /// The <paramref name="percent"/>-th percentile of <paramref name="sorted"/> (ascending) by nearest rank: the smallest
    /// value such that at least <paramref name="percent"/>% of the values are ≤ it, i.e. the value at 1-based rank
    /// ⌈percent/100 × n⌉. Always one of the observed values; <see langword="null"/> for no values.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percent"/> is not in (0, 100].</exception>
    public static long? NearestRank(IReadOnlyList<long> sorted, int percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (percent is <= 0 or > 100)
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "A percentile is in (0, 100].");
        if (sorted.Count == 0)
            return null;
        // Integer arithmetic: ⌈p·n/100⌉ without floating-point rounding at exact ranks.
        var rank = ((long)percent * sorted.Count + 99) / 100;
        return sorted[(int)rank - 1];
    }
}
