namespace AuditGen.Queries;

/// <summary>Folds records into per-tool and per-day counters; turns them into a report with alerts.</summary>
internal sealed class StatisticsAccumulator(DateTimeOffset? from, DateTimeOffset? to)
{
    private readonly Dictionary<string, ToolCounters> _tools = new(StringComparer.Ordinal);
    private readonly SortedDictionary<DateOnly, DayCounters> _days = [];
    // Whole-day volumes of everything read, look-back included: the history the deviation rule judges against.
    private readonly Dictionary<DateOnly, long> _volumes = [];
    private long _records;

    public void Add(AuditRecord record)
    {
        var day = AuditStatistics.DayOf(record.Timestamp);
        _volumes[day] = _volumes.GetValueOrDefault(day) + 1;
        if (from is { } start && record.Timestamp < start)
            return;
        if (to is { } end && record.Timestamp >= end)
            return;

        _records++;
        if (!_days.TryGetValue(day, out var counters))
            _days[day] = counters = new DayCounters();
        counters.Records++;
        if (record.Action is not (AuditAction.ToolCompleted or AuditAction.ToolFailed))
            return;
        var failed = record.Action == AuditAction.ToolFailed;
        counters.ToolCalls++;
        if (failed)
            counters.ToolErrors++;
        if (record.ToolName is not { } name)
            return;
        if (!_tools.TryGetValue(name, out var tool))
            _tools[name] = tool = new ToolCounters();
        tool.Calls++;
        if (failed)
            tool.Errors++;
        if (record.DurationMicros is { } micros)
            tool.Durations.Add(micros);
    }

    public AuditStatisticsReport Complete(VolumeAlertOptions rules, DateOnly? trailStart)
    {
        var tools = _tools.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t =>
        {
            t.Value.Durations.Sort();
            return new ToolUsage(t.Key, t.Value.Calls, t.Value.Errors, (double)t.Value.Errors / t.Value.Calls,
                Percentiles.NearestRank(t.Value.Durations, 50), Percentiles.NearestRank(t.Value.Durations, 95));
        }).ToList();

        var days = new List<DailyVolume>();
        var alerts = new List<VolumeAlert>();
        if (_days.Count > 0)
        {
            for (var day = _days.Keys.First(); day <= _days.Keys.Last(); day = day.AddDays(1))
            {
                var counters = _days.GetValueOrDefault(day) ?? new DayCounters();
                var alert = VolumeRules.Evaluate(day, counters.Records, _volumes, rules, trailStart);
                if (alert is not null)
                    alerts.Add(alert);
                days.Add(new DailyVolume(day, counters.Records, counters.ToolCalls, counters.ToolErrors,
                    counters.ToolCalls == 0 ? null : (double)counters.ToolErrors / counters.ToolCalls, alert));
            }
        }
        return new AuditStatisticsReport(from, to, _records, tools, days, alerts);
    }

    private sealed class ToolCounters
    {
        public long Calls;
        public long Errors;
        public List<long> Durations { get; } = [];
    }

    private sealed class DayCounters
    {
        public long Records;
        public long ToolCalls;
        public long ToolErrors;
    }
}
