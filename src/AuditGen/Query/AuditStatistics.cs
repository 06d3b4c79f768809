using AuditGen.Telemetry;

namespace AuditGen.Queries;

/// <summary>
/// Tool usage, daily volume and error rates of a trail, with volume alerts, in one streaming pass over any
/// <see cref="IAuditTrail"/>: records are read page by page and folded into counters; only the per-call durations
/// (8 bytes per finished tool call, for exact percentiles) and one counter set per day and tool are kept.
/// </summary>
/// <remarks>
/// <para>A statistics pass returns aggregates (tool names, counts, durations), no record content and no identifiers, so
/// it is not an audited read and appends nothing: it runs on a read-only trail.</para>
/// <para>Days are UTC calendar days. For the trailing window the pass also reads the <see cref="VolumeAlertOptions.WindowDays"/>
/// whole days before <see cref="AuditStatisticsOptions.From"/>'s day; those count only as history. The window never
/// reaches before the day of the trail's first record.</para>
/// </remarks>
public static class AuditStatistics
{
    private const int ProgressEvery = 4096;

    /// <summary>Computes the statistics of <paramref name="trail"/> and raises the volume alerts found (see <see cref="AuditStatisticsOptions.RaiseAlerts"/>).</summary>
    /// <param name="trail">Any trail.</param>
    /// <param name="options">Range and alert rules; <see langword="null"/>: the whole trail, the trail's rules.</param>
    /// <param name="progress">Receives the number of records read so far, every 4,096 records and at the end.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    /// <exception cref="ArgumentException"><see cref="AuditStatisticsOptions.From"/> is after <see cref="AuditStatisticsOptions.To"/>.</exception>
    public static async Task<AuditStatisticsReport> ComputeAsync(IAuditTrail trail, AuditStatisticsOptions? options = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trail);
        options ??= new AuditStatisticsOptions();
        if (options is { From: { } from, To: { } to } && from > to)
            throw new ArgumentException($"The statistics range starts ({from:O}) after it ends ({to:O}).", nameof(options));
        var rules = options.Alerts ?? trail.Options.VolumeAlerts ?? VolumeAlertOptions.Default;
        rules.Validate();

        DateOnly? trailStart = null;
        await foreach (var first in trail.QueryAsync(new AuditQuery { Limit = 1 }, cancellationToken).ConfigureAwait(false))
            trailStart = DayOf(first.Timestamp);

        var accumulator = new StatisticsAccumulator(options.From, options.To);
        var readFrom = options.From is { } start ? StartOfDay(DayOf(start).AddDays(-rules.WindowDays)) : (DateTimeOffset?)null;
        long read = 0;
        await foreach (var record in trail.QueryAsync(new AuditQuery { From = readFrom, To = options.To }, cancellationToken).ConfigureAwait(false))
        {
            accumulator.Add(record);
            if (++read % ProgressEvery == 0)
                progress?.Report(read);
        }
        progress?.Report(read);

        var report = accumulator.Complete(rules, trailStart);
        if (options.RaiseAlerts)
            foreach (var alert in report.Alerts)
                Raise(trail.Options, alert);
        return report;
    }

    /// <summary>The UTC day of <paramref name="timestamp"/>.</summary>
    internal static DateOnly DayOf(DateTimeOffset timestamp) => DateOnly.FromDateTime(timestamp.UtcDateTime);

    /// <summary>00:00 UTC of <paramref name="day"/>.</summary>
    internal static DateTimeOffset StartOfDay(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    // Logger, metric and sink, in that order; a sink that throws is logged when there is a logger (its contract says it
    // must not throw), else its exception surfaces.
    private static void Raise(AuditTrailOptions options, VolumeAlert alert)
    {
        var logger = options.AuditLogger;
        if (logger is not null)
            QueryLog.VolumeAlert(logger, alert);
        if (AuditGenMetrics.VolumeAlerts.Enabled)
        {
            foreach (var kind in new[] { VolumeAlertKind.Ceiling, VolumeAlertKind.Deviation })
                if (alert.Kind.HasFlag(kind))
                    AuditGenMetrics.VolumeAlerts.Add(1, new KeyValuePair<string, object?>(AuditGenTelemetry.AlertKindTag, KindName(kind)));
        }
        if (options.AlertSink is { } sink)
        {
            try
            {
                sink.OnVolumeAlert(alert);
            }
            catch (Exception e) when (logger is not null)
            {
                QueryLog.AlertSinkFailed(logger, alert.Day, e);
            }
        }
    }

    /// <summary>The wire name of one alert kind (<c>ceiling</c>, <c>deviation</c>).</summary>
    public static string KindName(VolumeAlertKind kind) => kind switch
    {
        VolumeAlertKind.Ceiling => "ceiling",
        VolumeAlertKind.Deviation => "deviation",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Name one alert kind at a time."),
    };
}
