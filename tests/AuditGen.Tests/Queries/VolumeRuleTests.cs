using AuditGen.Queries;

namespace AuditGen.Tests.Queries;

public sealed class VolumeRuleTests
{
    private static readonly DateOnly Today = new(2025, 6, 30);

    private static Dictionary<DateOnly, long> History(params long[] volumesOldestFirst) =>
        volumesOldestFirst.Select((v, i) => (Day: Today.AddDays(i - volumesOldestFirst.Length), v)).ToDictionary(x => x.Day, x => x.v);

    private static VolumeAlert? Judge(long records, Dictionary<DateOnly, long> history, DateOnly? trailStart = null, long? ceiling = null) =>
        VolumeRules.Evaluate(Today, records, history, new VolumeAlertOptions { DailyCeiling = ceiling }, trailStart ?? Today.AddDays(-30));

    [Fact]
    public void With_sigma_zero_any_day_above_the_flat_mean_alerts()
    {
        var flat = History(Enumerable.Repeat(10L, 14).ToArray());

        var alert = Judge(11, flat);

        Assert.Equal(VolumeAlertKind.Deviation, alert!.Kind);
        Assert.Equal(0, alert.TrailingStandardDeviation);
        Assert.Equal(10, alert.DeviationLimit);
    }

    [Fact]
    public void With_sigma_zero_a_day_at_the_mean_does_not_alert() =>
        Assert.Null(Judge(10, History(Enumerable.Repeat(10L, 14).ToArray())));

    [Fact]
    public void With_fewer_than_fourteen_days_of_trail_the_deviation_rule_does_not_fire()
    {
        var history = History(Enumerable.Repeat(1L, 13).ToArray());

        Assert.Null(Judge(1_000_000, history, trailStart: Today.AddDays(-13)));
        Assert.NotNull(Judge(1_000_000, history, trailStart: Today.AddDays(-14)));
    }

    [Fact]
    public void With_short_history_the_ceiling_still_applies()
    {
        var alert = Judge(101, [], trailStart: Today, ceiling: 100);

        Assert.Equal(VolumeAlertKind.Ceiling, alert!.Kind);
        Assert.Null(alert.TrailingMean);
    }

    [Fact]
    public void A_day_exactly_at_the_ceiling_does_not_alert() => Assert.Null(Judge(100, [], trailStart: Today, ceiling: 100));

    [Fact]
    public void Days_without_records_count_as_zero_in_the_window()
    {
        // 7 days of 28 and 7 empty days: mean 14, σ 14, limit 56.
        var history = new Dictionary<DateOnly, long>();
        for (var i = 1; i <= 14; i += 2)
            history[Today.AddDays(-i)] = 28;

        Assert.Null(Judge(56, history));
        Assert.Equal(14, Judge(57, history)!.TrailingMean);
    }

    [Fact]
    public void A_day_exactly_at_the_limit_does_not_alert()
    {
        var alternating = History([.. Enumerable.Range(0, 14).Select(i => i % 2 == 0 ? 20L : 24L)]);

        Assert.Null(Judge(28, alternating));
        Assert.NotNull(Judge(29, alternating));
    }

    [Fact]
    public void Nonsensical_rules_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VolumeAlertOptions { DailyCeiling = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new VolumeAlertOptions { WindowDays = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new VolumeAlertOptions { DeviationThreshold = double.NaN }.Validate());
    }
}

public sealed class PercentileTests
{
    private static readonly long[] OneToTwenty = [.. Enumerable.Range(1, 20).Select(i => (long)i)];

    [Fact]
    public void The_median_of_one_to_twenty_is_ten_by_nearest_rank() => Assert.Equal(10, Percentiles.NearestRank(OneToTwenty, 50));

    [Fact]
    public void The_95th_percentile_of_one_to_twenty_is_nineteen() => Assert.Equal(19, Percentiles.NearestRank(OneToTwenty, 95));

    [Fact]
    public void The_100th_percentile_is_the_maximum() => Assert.Equal(20, Percentiles.NearestRank(OneToTwenty, 100));

    [Fact]
    public void One_value_is_every_percentile() => Assert.Equal(7, Percentiles.NearestRank([7L], 95));

    [Fact]
    public void No_values_have_no_percentile() => Assert.Null(Percentiles.NearestRank([], 50));

    [Fact]
    public void A_percentile_outside_zero_to_hundred_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.NearestRank(OneToTwenty, 0));
}
