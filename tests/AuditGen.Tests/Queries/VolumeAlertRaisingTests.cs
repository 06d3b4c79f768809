using AuditGen.Queries;
using AuditGen.Telemetry;
using AuditGen.Tests.Invocation;
using AuditGen.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AuditGen.Tests.Queries;

/// <summary>Alerts leave through the log, the meter and the alert sink. Listeners are process-wide: run alone.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class VolumeAlertRaisingTests(GeneratedTrail generated) : IClassFixture<GeneratedTrail>
{
    private static readonly VolumeAlertOptions Rules = new() { DailyCeiling = GeneratedTrail.Ceiling };

    [Fact]
    public async Task Each_alert_reaches_the_alert_sink_once()
    {
        var sink = new VolumeAlertCollector();
        await using var trail = generated.OpenReadOnly(new AuditTrailOptions { AlertSink = sink, VolumeAlerts = Rules });

        var report = await AuditStatistics.ComputeAsync(trail);

        Assert.Equal(report.Alerts, sink.Alerts);
        Assert.Equal([GeneratedTrail.FirstDay, GeneratedTrail.FirstDay.AddDays(15)], sink.Alerts.Select(a => a.Day));
    }

    [Fact]
    public async Task Each_alert_is_logged_as_a_warning_with_its_day_and_rule()
    {
        var logs = new ListLoggerFactory();
        await using var trail = generated.OpenReadOnly(new AuditTrailOptions { LoggerFactory = logs, VolumeAlerts = Rules });

        await AuditStatistics.ComputeAsync(trail);

        var warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Equal("Audit volume alert for 2025-01-01 (UTC): 60 records broke the ceiling rule (ceiling 50, trailing mean n/a (short history), σ n/a (short history), limit n/a (short history)).", warnings[0]);
        Assert.Equal("Audit volume alert for 2025-01-16 (UTC): 40 records broke the deviation rule (ceiling 50, trailing mean 22, σ 2, limit 28).", warnings[1]);
        Assert.All(logs.Entries, e => Assert.Equal("AuditGen", e.Category));
    }

    [Fact]
    public async Task Each_alert_is_counted_by_kind()
    {
        using var telemetry = new TelemetryCapture(spans: false);
        await using var trail = generated.OpenReadOnly(new AuditTrailOptions { VolumeAlerts = Rules });

        await AuditStatistics.ComputeAsync(trail);

        var counted = telemetry.Named(AuditGenTelemetry.VolumeAlertsName);
        Assert.Equal(["ceiling", "deviation"], counted.Select(m => m.Tag(AuditGenTelemetry.AlertKindTag)));
        Assert.All(counted, m => Assert.Equal(1, m.Value));
    }

    [Fact]
    public async Task A_pass_that_does_not_raise_reports_alerts_without_telling_anyone()
    {
        var sink = new VolumeAlertCollector();
        using var telemetry = new TelemetryCapture(spans: false);
        await using var trail = generated.OpenReadOnly(new AuditTrailOptions { AlertSink = sink, VolumeAlerts = Rules });

        var report = await AuditStatistics.ComputeAsync(trail, new AuditStatisticsOptions { RaiseAlerts = false });

        Assert.Equal(2, report.Alerts.Count);
        Assert.Empty(sink.Alerts);
        Assert.Empty(telemetry.Named(AuditGenTelemetry.VolumeAlertsName));
    }

    [Fact]
    public async Task The_spool_sink_passes_volume_alerts_on_to_the_next_sink()
    {
        var next = new VolumeAlertCollector();
        using var folder = new TrailFolder();
        using var spool = new FileSpoolAlertSink(Path.Combine(folder.Root, "audit.spool"), next);
        await using var trail = generated.OpenReadOnly(new AuditTrailOptions { AlertSink = spool, VolumeAlerts = Rules });

        await AuditStatistics.ComputeAsync(trail);

        Assert.Equal(2, next.Alerts.Count);
        Assert.False(File.Exists(Path.Combine(folder.Root, "audit.spool")));
    }

    [Fact]
    public void A_sink_written_before_volume_alerts_existed_still_compiles_and_ignores_them()
    {
        IAuditAlertSink legacy = new FailureOnlySink();

        var thrown = Record.Exception(() => legacy.OnVolumeAlert(new VolumeAlert(GeneratedTrail.FirstDay, 60, VolumeAlertKind.Ceiling, 50, null, null, null)));

        Assert.Null(thrown);
    }

    private sealed class VolumeAlertCollector : IAuditAlertSink
    {
        private readonly List<VolumeAlert> _alerts = [];

        public IReadOnlyList<VolumeAlert> Alerts { get { lock (_alerts) return _alerts.ToArray(); } }

        public void OnAuditFailure(AuditFailure failure) => throw new InvalidOperationException("No record failed in a statistics pass.");

        public void OnVolumeAlert(VolumeAlert alert)
        {
            lock (_alerts) _alerts.Add(alert);
        }
    }

    private sealed class FailureOnlySink : IAuditAlertSink
    {
        public void OnAuditFailure(AuditFailure failure)
        {
        }
    }
}
