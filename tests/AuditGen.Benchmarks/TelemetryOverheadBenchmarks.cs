using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;

namespace AuditGen.Benchmarks;

/// <summary>
/// The generated wrapper (fail-open, no HMAC-redacted argument, discarding trail) with and without telemetry
/// listeners on the <c>AuditGen</c> source and meter: the price of the <c>execute_tool</c> span and the duration
/// histogram when someone listens, and that nothing is paid when nobody does. The listeners are process-wide, so each
/// case gets its own setup (BenchmarkDotNet runs each case in its own process).
/// </summary>
[MemoryDiagnoser]
public class TelemetryOverheadBenchmarks
{
    private readonly BenchmarkTools _direct = new();
    private AuditedBenchmarkTools _audited = null!;
    private ActivityListener? _activities;
    private MeterListener? _meters;
    private double _recorded;

    [GlobalSetup(Target = nameof(WrapperNoListener))]
    public void SetupWithoutListeners() => CreateWrapper();

    [GlobalSetup(Target = nameof(WrapperWithSpanListener))]
    public void SetupWithSpanListener()
    {
        CreateWrapper();
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "AuditGen",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_activities);
    }

    [GlobalSetup(Target = nameof(WrapperWithSpanAndMeterListeners))]
    public void SetupWithSpanAndMeterListeners()
    {
        SetupWithSpanListener();
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "AuditGen")
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _meters.SetMeasurementEventCallback<double>((_, value, _, _) => _recorded += value);
        _meters.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _meters?.Dispose();
        _activities?.Dispose();
    }

    private void CreateWrapper()
    {
        var trail = new DiscardingAuditTrail(new AuditTrailOptions { HmacKey = new byte[32], FailurePolicy = AuditFailurePolicy.FailOpen });
        _audited = new AuditedBenchmarkTools(_direct, trail);
    }

    /// <summary>No listener: the path every call takes unless telemetry is switched on.</summary>
    [Benchmark(Baseline = true)]
    public string WrapperNoListener() => _audited.LookupWardPlain("north-3", 3);

    /// <summary>An activity listener that samples everything: one span started, tagged and stopped per call.</summary>
    [Benchmark]
    public string WrapperWithSpanListener() => _audited.LookupWardPlain("north-3", 3);

    /// <summary>Spans plus a meter listener receiving <c>gen_ai.execute_tool.duration</c>.</summary>
    [Benchmark]
    public string WrapperWithSpanAndMeterListeners() => _audited.LookupWardPlain("north-3", 3);
}
