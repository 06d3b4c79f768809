using System.Globalization;
using AuditGen.Queries;
using BenchmarkDotNet.Attributes;

namespace AuditGen.Benchmarks;

/// <summary>
/// A statistics pass (<see cref="AuditStatistics.ComputeAsync"/>: per-tool calls, errors, exact p50/p95, per-day volume
/// and error rate, volume alerts) over a 100,000-record LiteDB trail spread over 70 UTC days, against merely reading
/// the same records (<c>QueryAsync</c> of everything), in the same run. The ratio is the cost of the statistics on top
/// of the read; the allocation column shows the pass streams (it keeps one long per finished call, not the records).
/// </summary>
[MemoryDiagnoser]
public class StatisticsPassBenchmarks
{
    private const int Records = 100_000;
    private string _directory = null!;
    private LiteDbAuditTrail _trail = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("auditgen-stats-").FullName;
        var path = Path.Combine(_directory, "stats.db");
        await using (var writer = AuditTrail.OpenLiteDb(path, new AuditTrailOptions { TimeProvider = new SteppingClock() }))
        {
            var pending = new List<Task>(1024);
            for (var i = 0; i < Records; i++)
            {
                pending.Add(writer.AppendAsync(Entry(i)).AsTask());
                if (pending.Count == pending.Capacity)
                {
                    await Task.WhenAll(pending);
                    pending.Clear();
                }
            }
            await Task.WhenAll(pending);
        }
        _trail = AuditTrail.OpenLiteDb(path, new AuditTrailOptions { ReadOnly = true });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _trail.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public async Task<long> ReadEveryRecord()
    {
        long count = 0;
        await foreach (var record in _trail.QueryAsync(new AuditQuery()))
            count += record.Sequence >= 0 ? 1 : 0;
        return count;
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task<long> StatisticsPass()
    {
        var report = await AuditStatistics.ComputeAsync(_trail, new AuditStatisticsOptions { Alerts = new VolumeAlertOptions { DailyCeiling = 2_000 }, RaiseAlerts = false });
        return report.Records + report.Alerts.Count;
    }

    // Pairs of tool_invoked + completion over 4 tools; every 7th call fails; durations 100 µs to 5 ms.
    private static AuditEntry Entry(int i)
    {
        var call = i / 2;
        var completion = i % 2 == 1;
        var failed = completion && call % 7 == 6;
        return new AuditEntry
        {
            Action = !completion ? AuditAction.ToolInvoked : failed ? AuditAction.ToolFailed : AuditAction.ToolCompleted,
            ActorId = "triage-agent",
            ConversationId = string.Create(CultureInfo.InvariantCulture, $"conv-{call / 20}"),
            UserId = "nurse.joy",
            ToolName = (call % 4) switch { 0 => "lookup_patient", 1 => "schedule_visit", 2 => "get_lab_results", _ => "send_summary" },
            ResourceType = "Patient",
            Classification = DataClass.Restricted,
            Domains = ComplianceDomain.Hipaa,
            Outcome = failed ? AuditOutcome.Failure : AuditOutcome.Success,
            DurationMicros = completion ? 100 + (call * 37 % 4_900) : null,
            Error = failed ? new AuditError("System.TimeoutException", "timed out") : null,
        };
    }

    // One minute per record: 100,000 records span about 70 days.
    private sealed class SteppingClock : TimeProvider
    {
        private long _ticks = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Add(ref _ticks, TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }
}
