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

    private AuditRecord[] _records = [];

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("auditgen-bench-").FullName;
        // Real records (hashed, with ids and times) to feed the raw baseline the trail's exact documents.
        await using var trail = AuditTrail.OpenLiteDb(NextPath());
        var records = new List<AuditRecord>(Writers * RecordsPerWriter);
        for (var i = 0; i < Writers * RecordsPerWriter; i++)
            records.Add(await trail.AppendAsync(SampleEntries.Entry(i % Writers, i)));
        _records = [.. records];
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    private string NextPath() => Path.Combine(_directory, $"run-{Interlocked.Increment(ref _round)}.db");

    /// <summary>
    /// The same documents the trail stores (same mapping, same secondary indexes, same collation), inserted with one
    /// raw <c>InsertBulk</c>: no chain, no journal, no fsync barrier, no callers to acknowledge.
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Writers * RecordsPerWriter)]
    public void RawLiteDbInsertBulkOfTheSameDocuments()
    {
        using var db = new LiteDatabase(new ConnectionString
        {
            Filename = NextPath(),
            Collation = new Collation(System.Globalization.CultureInfo.InvariantCulture.LCID, System.Globalization.CompareOptions.Ordinal),
        });
        var collection = db.GetCollection(AuditGen.Storage.LiteDbRecordMapping.CollectionName, BsonAutoId.Int64);
        AuditGen.Storage.LiteDbRecordMapping.EnsureIndexes(collection);
        var documents = new List<BsonDocument>(_records.Length);
        foreach (var record in _records)
            documents.Add(AuditGen.Storage.LiteDbRecordMapping.ToDocument(record.Sequence, record));
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

    /// <summary>
    /// The same 16 writers, each keeping 32 appends in flight (fail-open tools, or an agent logging a burst): the group
    /// commit then carries hundreds of records per fsync.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Writers * RecordsPerWriter)]
    public async Task DurableChainedAppends16WritersPipelined()
    {
        const int InFlight = 32;
        await using var trail = AuditTrail.OpenLiteDb(NextPath());
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
