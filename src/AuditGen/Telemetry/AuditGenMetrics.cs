using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace AuditGen.Telemetry;

/// <summary>The <c>AuditGen</c> meter and its instruments. Tags never carry personal data.</summary>
internal static class AuditGenMetrics
{
    /// <summary>The meter name, shared with the <c>AuditGen</c> activity source.</summary>
    public const string MeterName = AuditGenTelemetry.Name;

    /// <summary>The name of <see cref="AppendFailures"/>.</summary>
    public const string AppendFailuresName = "auditgen.append.failures";

    private static readonly Meter Meter = new(MeterName, AuditGenTelemetry.Version);

    // Writers whose queue depth the gauge reports; a writer registers itself and leaves when it stops.
    private static readonly ConcurrentDictionary<IQueueDepthSource, byte> QueueSources = new();

    /// <summary>
    /// Records that could not be made durable and did not fail their call (fail-open). Tags:
    /// <c>gen_ai.tool.name</c> and <c>auditgen.action</c> (e.g. <c>tool_invoked</c>).
    /// </summary>
    public static Counter<long> AppendFailures { get; } = Meter.CreateCounter<long>(
        AppendFailuresName, unit: "{record}", description: "Audit records that could not be made durable under the fail-open policy.");

    /// <summary>The name of the counter of failed entries that could not be written to the spool either.</summary>
    public const string SpoolFailuresName = "auditgen.spool.failures";

    /// <summary>Failed fail-open entries that could not be written to the spool file either.</summary>
    public static Counter<long> SpoolFailures { get; } = Meter.CreateCounter<long>(
        SpoolFailuresName, unit: "{record}", description: "Failed audit entries that could not be written to the spool file.");

    /// <summary>Tool call duration (the record's <c>durationMicros</c>), in seconds. Tags: <c>gen_ai.operation.name</c>, <c>gen_ai.tool.name</c>, <c>error.type</c> on failure.</summary>
    public static Histogram<double> ToolDuration { get; } = Meter.CreateHistogram<double>(
        AuditGenTelemetry.ToolDurationName, unit: "s", description: "Duration of tool executions audited by AuditGen.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    /// <summary>Records made durable (acknowledged). No tags.</summary>
    public static Counter<long> RecordsAppended { get; } = Meter.CreateCounter<long>(
        AuditGenTelemetry.RecordsAppendedName, unit: "{record}", description: "Audit records made durable and acknowledged.");

    /// <summary>Time from an append being queued to its record being durable, in seconds. No tags.</summary>
    public static Histogram<double> AppendDuration { get; } = Meter.CreateHistogram<double>(
        AuditGenTelemetry.AppendDurationName, unit: "s", description: "Time from queuing an audit record to its acknowledgement as durable.",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AppendBuckets });

    /// <summary>Verifications that found a broken chain. Tag: <c>auditgen.verification.failure</c> (e.g. <c>hash_mismatch</c>).</summary>
    public static Counter<long> VerificationFailures { get; } = Meter.CreateCounter<long>(
        AuditGenTelemetry.VerificationFailuresName, unit: "{verification}", description: "Audit trail verifications that found a broken chain.");

    /// <summary>Appends queued and not yet written, per open trail. Tag: <c>auditgen.trail</c> (the store's path or name).</summary>
    public static ObservableGauge<long> QueueDepth { get; } = Meter.CreateObservableGauge(
        AuditGenTelemetry.QueueDepthName, ObserveQueueDepths, unit: "{record}", description: "Audit appends waiting for the writer.");

    /// <summary>The name of the counter of signed checkpoints that could not be written to the export folder.</summary>
    public const string CheckpointExportFailuresName = "auditgen.checkpoint.export.failures";

    /// <summary>Signed checkpoints that could not be exported (they are still recorded in the trail).</summary>
    public static Counter<long> CheckpointExportFailures { get; } = Meter.CreateCounter<long>(
        CheckpointExportFailuresName, unit: "{checkpoint}", description: "Signed checkpoints that could not be written to the export folder.");

    /// <summary>Days whose record volume broke an alert rule in a statistics pass. Tag: <c>auditgen.alert.kind</c> (<c>ceiling</c> or <c>deviation</c>).</summary>
    public static Counter<long> VolumeAlerts { get; } = Meter.CreateCounter<long>(
        AuditGenTelemetry.VolumeAlertsName, unit: "{alert}", description: "Days whose audit record volume exceeded the ceiling or the trailing-mean deviation limit.");

    /// <summary>The name of <see cref="PostgreSqlCommits"/>.</summary>
    public const string PostgreSqlCommitsName = "auditgen.postgresql.commits";

    /// <summary>The tag of <see cref="PostgreSqlCommits"/> that says how a group commit was linked.</summary>
    public const string CommitPathTag = "auditgen.commit.path";

    /// <summary>
    /// Group commits to a PostgreSQL log. Tag <c>auditgen.commit.path</c>: <c>one_trip</c> (onto the tail the writer
    /// expected), <c>after_miss</c> (another writer had moved it), <c>database_linked</c> (linked by the database while
    /// other writers keep moving it), <c>locked</c> (tail read under the lock first), <c>recovered</c> (found committed
    /// after a lost answer). A rising share of the last three means the log's writers contend.
    /// </summary>
    public static Counter<long> PostgreSqlCommits { get; } = Meter.CreateCounter<long>(
        PostgreSqlCommitsName, unit: "{commit}", description: "Group commits to a PostgreSQL audit log, by how they were linked.");

    // The OpenTelemetry GenAI semantic conventions' advice for gen_ai.*.duration.
    private static IReadOnlyList<double> DurationBuckets =>
        [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    // A group commit is one fsync plus the batch in progress: tenths of a millisecond to tens of milliseconds.
    private static IReadOnlyList<double> AppendBuckets =>
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    /// <summary>Adds a queue to <see cref="QueueDepth"/> until <see cref="RemoveQueue"/>.</summary>
    public static void AddQueue(IQueueDepthSource source) => QueueSources.TryAdd(source, 0);

    /// <summary>Stops reporting a queue.</summary>
    public static void RemoveQueue(IQueueDepthSource source) => QueueSources.TryRemove(source, out _);

    private static IEnumerable<Measurement<long>> ObserveQueueDepths()
    {
        foreach (var source in QueueSources.Keys)
            yield return new Measurement<long>(source.QueueDepth, new KeyValuePair<string, object?>(AuditGenTelemetry.TrailTag, source.QueueName));
    }
}

/// <summary>A writer queue observed by the <c>auditgen.queue.depth</c> gauge.</summary>
internal interface IQueueDepthSource
{
    /// <summary>Requests waiting.</summary>
    long QueueDepth { get; }

    /// <summary>The trail's path or name (never personal data).</summary>
    string QueueName { get; }
}
