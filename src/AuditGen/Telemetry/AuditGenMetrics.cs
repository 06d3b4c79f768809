using System.Diagnostics.Metrics;

namespace AuditGen.Telemetry;

/// <summary>The <c>AuditGen</c> meter and its instruments. Tags never carry personal data.</summary>
internal static class AuditGenMetrics
{
    /// <summary>The meter name, shared with the <c>AuditGen</c> activity source.</summary>
    public const string MeterName = "AuditGen";

    /// <summary>The name of <see cref="AppendFailures"/>.</summary>
    public const string AppendFailuresName = "auditgen.append.failures";

    private static readonly Meter Meter = new(MeterName);

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

    /// <summary>The name of the counter of signed checkpoints that could not be written to the export folder.</summary>
    public const string CheckpointExportFailuresName = "auditgen.checkpoint.export.failures";

    /// <summary>Signed checkpoints that could not be exported (they are still recorded in the trail).</summary>
    public static Counter<long> CheckpointExportFailures { get; } = Meter.CreateCounter<long>(
        CheckpointExportFailuresName, unit: "{checkpoint}", description: "Signed checkpoints that could not be written to the export folder.");
}
