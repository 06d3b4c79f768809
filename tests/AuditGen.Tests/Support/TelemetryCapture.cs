using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AuditGen.Tests.Support;

/// <summary>
/// A real <see cref="ActivityListener"/> and <see cref="MeterListener"/> on the <c>AuditGen</c> source and meter,
/// recording stopped spans and every measurement. Listeners are process-wide: tests using this run in the
/// <see cref="TelemetryCollection"/>, alone.
/// </summary>
internal sealed class TelemetryCapture : IDisposable
{
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<Measured> _measurements = new();

    public TelemetryCapture(bool spans = true, bool metrics = true)
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = source => spans && source.Name == "AuditGen",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);

        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (metrics && instrument.Meter.Name == "AuditGen")
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue(new Measured(instrument.Name, value, tags.ToArray())));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue(new Measured(instrument.Name, value, tags.ToArray())));
        _meters.Start();
    }

    public IReadOnlyList<Activity> Spans => _stopped.ToArray();

    public IReadOnlyList<Measured> Measurements => _measurements.ToArray();

    public IReadOnlyList<Measured> Named(string instrument) => Measurements.Where(m => m.Instrument == instrument).ToArray();

    /// <summary>Polls observable instruments (the queue-depth gauge).</summary>
    public void Observe() => _meters.RecordObservableInstruments();

    public void Dispose()
    {
        _meters.Dispose();
        _activities.Dispose();
    }

    public sealed record Measured(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)
    {
        public object? Tag(string name) => Tags.FirstOrDefault(t => t.Key == name).Value;
    }
}

/// <summary>Tests that attach process-wide telemetry listeners, or that depend on there being none, run here, alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry listeners";
}
