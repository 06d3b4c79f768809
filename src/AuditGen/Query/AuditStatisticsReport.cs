namespace AuditGen.Queries;

/// <summary>The result of a statistics pass (<see cref="AuditStatistics.ComputeAsync"/>).</summary>
/// <param name="From">The pass's start (inclusive), if bounded.</param>
/// <param name="To">The pass's end (exclusive), if bounded.</param>
/// <param name="Records">Records in [<paramref name="From"/>, <paramref name="To"/>).</param>
/// <param name="Tools">Per tool, by name (ordinal).</param>
/// <param name="Days">Every UTC day from the first to the last record in range, days without records included.</param>
/// <param name="Alerts">The days that broke an alert rule, in day order.</param>
public sealed record AuditStatisticsReport(DateTimeOffset? From, DateTimeOffset? To, long Records, IReadOnlyList<ToolUsage> Tools,
    IReadOnlyList<DailyVolume> Days, IReadOnlyList<VolumeAlert> Alerts);

/// <summary>How one tool was used.</summary>
/// <param name="ToolName">The tool.</param>
/// <param name="Calls">Finished calls: its <c>tool_completed</c> and <c>tool_failed</c> records.</param>
/// <param name="Errors">Its <c>tool_failed</c> records.</param>
/// <param name="ErrorRate"><paramref name="Errors"/> / <paramref name="Calls"/>.</param>
/// <param name="P50Micros">Median duration (nearest rank) of the calls that carry one, in microseconds; <see langword="null"/> when none does.</param>
/// <param name="P95Micros">95th percentile duration (nearest rank), in microseconds.</param>
public sealed record ToolUsage(string ToolName, long Calls, long Errors, double ErrorRate, long? P50Micros, long? P95Micros);

/// <summary>One UTC day.</summary>
/// <param name="Day">The UTC day.</param>
/// <param name="Records">Every record of the day (any action): the volume the alerts judge.</param>
/// <param name="ToolCalls">Finished tool calls (<c>tool_completed</c> + <c>tool_failed</c>).</param>
/// <param name="ToolErrors"><c>tool_failed</c> records.</param>
/// <param name="ErrorRate"><paramref name="ToolErrors"/> / <paramref name="ToolCalls"/>, or <see langword="null"/> on a day without tool calls.</param>
/// <param name="Alert">The alert the day raised, if any.</param>
public sealed record DailyVolume(DateOnly Day, long Records, long ToolCalls, long ToolErrors, double? ErrorRate, VolumeAlert? Alert);
