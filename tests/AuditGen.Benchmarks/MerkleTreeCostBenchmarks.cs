using BenchmarkDotNet.Attributes;

namespace AuditGen.Benchmarks;

/// <summary>
/// What the Merkle tree costs the writer: durable appends from 16 writers with the tree (leaf into the tree, new nodes
/// written to <c>audit.db.tree</c> before each group commit) against the same writer without it, in the same run.
/// </summary>
public class MerkleTreeCostBenchmarks
{
    private const int Writers = 16;
    private const int RecordsPerWriter = 1_000;
    private const int InFlight = 32;
    private string _directory = null!;
    private int _round;

    [GlobalSetup]
    public void Setup() => _directory = Directory.CreateTempSubdirectory("auditgen-tree-").FullName;

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    private string NextPath() => Path.Combine(_directory, $"run-{Interlocked.Increment(ref _round)}.db");

    [Benchmark(Baseline = true, OperationsPerInvoke = Writers * RecordsPerWriter)]
    public Task DurableAppendsWithoutTree() => RunAsync(AuditTrail.OpenLiteDbWithoutTree(NextPath()));

    [Benchmark(OperationsPerInvoke = Writers * RecordsPerWriter)]
    public Task DurableAppendsWithTree() => RunAsync(AuditTrail.OpenLiteDb(NextPath()));

    private static async Task RunAsync(LiteDbAuditTrail trail)
    {
        await using (trail)
        {
            var writers = new Task[Writers];
            for (var w = 0; w < Writers; w++)
            {
                var writer = w;
                writers[w] = Task.Run(async () =>
                {
                    var window = new Task<AuditRecord>[InFlight];
                    for (var i = 0; i < RecordsPerWriter; i += InFlight)
                    {
                        for (var k = 0; k < InFlight; k++)
                            window[k] = trail.AppendAsync(SampleEntries.Entry(writer, i + k)).AsTask();
                        await Task.WhenAll(window);
                    }
                });
            }
            await Task.WhenAll(writers);
            await trail.FlushAsync();
        }
    }
}
