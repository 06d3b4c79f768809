using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using LiteDB;

namespace AuditGen.Benchmarks;

/// <summary>
/// Durable, chained appends from 16 concurrent writers against the same number of documents inserted with a raw
/// LiteDB <c>InsertBulk</c> (no chain, no journal, no fsync barrier) in the same run. The ratio is what chaining
/// and durability cost.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class DurableAppendBenchmarks
{
    private const int Writers = 16;
    private const int RecordsPerWriter = 2_000;
    private string _directory = null!;
    private int _round;

    [GlobalSetup]
    public void Setup() => _directory = Directory.CreateTempSubdirectory("auditgen-bench-").FullName;

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    private string NextPath() => Path.Combine(_directory, $"run-{Interlocked.Increment(ref _round)}.db");

    [Benchmark(Baseline = true, OperationsPerInvoke = Writers * RecordsPerWriter)]
    public void RawLiteDbInsertBulk()
    {
        using var db = new LiteDatabase(NextPath());
        var collection = db.GetCollection("records");
        var documents = new List<BsonDocument>(Writers * RecordsPerWriter);
        for (var i = 0; i < Writers * RecordsPerWriter; i++)
            documents.Add(SampleEntries.ToDocument(i));
        collection.InsertBulk(documents);
    }

    [Benchmark(OperationsPerInvoke = Writers * RecordsPerWriter)]
    public async Task DurableChainedAppends16Writers()
    {
        await using var trail = AuditTrail.OpenLiteDb(NextPath());
        var writers = new Task[Writers];
        for (var w = 0; w < Writers; w++)
        {
            var writer = w;
            writers[w] = Task.Run(async () =>
            {
                for (var i = 0; i < RecordsPerWriter; i++)
                    await trail.AppendAsync(SampleEntries.Entry(writer, i));
            });
        }

        await Task.WhenAll(writers);
        await trail.FlushAsync();
    }
}
