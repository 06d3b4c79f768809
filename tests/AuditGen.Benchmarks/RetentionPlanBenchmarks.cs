using System.Runtime.CompilerServices;
using AuditGen.Retention;
using BenchmarkDotNet.Attributes;

namespace AuditGen.Benchmarks;

/// <summary>
/// Planning retention over 1,000,000 records (8 years, seven kinds of domains, half of them expired at the instant
/// planned) against merely reading the same records from the same source, in the same run. The source makes each record
/// as it is read (nothing is stored), so the allocation difference between the two is the planner's own: the selected
/// sequences and its counters, not an object per record.
/// </summary>
[MemoryDiagnoser]
public class RetentionPlanBenchmarks
{
    private const int Records = 1_000_000;
    private static readonly DateTimeOffset Start = new(2018, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset At = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly GeneratedTrail _trail = new(Records);

    [Benchmark(Baseline = true, Description = "read 1,000,000 records")]
    public async Task<long> Read()
    {
        var count = 0L;
        await foreach (var _ in _trail.QueryAsync(new AuditQuery()))
            count++;
        return count;
    }

    [Benchmark(Description = "plan retention over 1,000,000 records")]
    public async Task<long> Plan() => (await RetentionPlan.CreateAsync(_trail, RetentionPolicySet.Defaults, At)).Sequences.Count;

    /// <summary>A trail whose records are made as they are read: 8 years of records, seven domain mixes in turn. Filtered queries (hold and policy records) find nothing.</summary>
    private sealed class GeneratedTrail(int count) : IAuditTrail
    {
        private static readonly ComplianceDomain[] Mixes =
        [
            ComplianceDomain.Hipaa, ComplianceDomain.Soc2, ComplianceDomain.Financial, ComplianceDomain.Pci, ComplianceDomain.None,
            ComplianceDomain.Soc2 | ComplianceDomain.Hipaa | ComplianceDomain.Pci, ComplianceDomain.Soc2 | ComplianceDomain.Pci,
        ];

        public AuditTrailOptions Options { get; } = new();

        public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The generated trail is read-only.");

        public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) =>
            new(new VerificationResult { RecordsChecked = 0 });

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public async IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask;
            if (query.Action is not null)
                yield break;
            var step = TimeSpan.FromDays(8 * 365).Ticks / count / 10 * 10;
            for (var i = 0; i < count; i++)
            {
                yield return new AuditRecord
                {
                    Sequence = i,
                    Id = Guid.Empty,
                    Timestamp = Start.AddTicks(step * i),
                    Action = AuditAction.ToolCompleted,
                    ConversationId = "c",
                    Domains = Mixes[i % Mixes.Length],
                    PreviousHash = "",
                    Hash = "",
                };
            }
        }
    }
}
