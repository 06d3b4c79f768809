using AuditGen.Archive;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AuditGen.Benchmarks;

/// <summary>
/// Archive + prune of 1,000,000 records (what retention's apply step runs: segment written, fsynced, re-read and
/// verified line by line, <c>archive_created</c>, every journal frame and query-store document replaced by a stub,
/// <c>retention_applied</c>), against a full verification of the same 1,000,001-record trail in the same process.
/// One cold iteration each: the archive consumes its trail, so each run gets a fresh copy of a trail built once per
/// process in the global setup (through the real writer: 1,024-record group commits, 512 appends in flight).
/// </summary>
[Config(typeof(Config))]
public class ArchiveBenchmarks
{
    /// <summary>One cold iteration, in process: the baseline and the archive run in the same process, and the 1M-record trail is built once per process.</summary>
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithStrategy(RunStrategy.ColdStart).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(1)
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(3), logOutput: true)));
    }

    // AUDITGEN_ARCHIVE_RECORDS shrinks the run (for a quick look on a busy machine); figures are per whole run, so
    // records/s = records / mean.
    private static readonly int Records = int.TryParse(Environment.GetEnvironmentVariable("AUDITGEN_ARCHIVE_RECORDS"), out var n) && n > 0 ? n : 1_000_000;
    private const string TrailName = "archive.db";

    private string _template = null!;
    private string _work = null!;
    private LiteDbAuditTrail _trail = null!;
    private long[] _selection = null!;

    // Built once per process (both benchmarks run in it) and removed when the process exits.
    private static string? s_template;

    [GlobalSetup]
    public async Task Setup()
    {
        _selection = new long[Records];
        for (var i = 0; i < Records; i++)
            _selection[i] = i;
        if (s_template is not null)
        {
            _template = s_template;
            return;
        }
        _template = s_template = Directory.CreateTempSubdirectory("auditgen-archive-template-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(s_template, recursive: true);
        await using (var writer = AuditTrail.OpenLiteDb(Path.Combine(_template, TrailName)))
        {
            var pending = new List<Task>(512);
            // One more than archived: the chain's newest record is never archived.
            for (var i = 0; i <= Records; i++)
            {
                pending.Add(writer.AppendAsync(SampleEntries.Entry(i % 16, i)).AsTask());
                if (pending.Count == 512)
                {
                    await Task.WhenAll(pending);
                    pending.Clear();
                }
            }
            await Task.WhenAll(pending);
        }
    }

    [IterationSetup]
    public void CopyTrail()
    {
        _work = Directory.CreateTempSubdirectory("auditgen-archive-run-").FullName;
        foreach (var file in Directory.GetFiles(_template))
            File.Copy(file, Path.Combine(_work, Path.GetFileName(file)));
        _trail = AuditTrail.OpenLiteDb(Path.Combine(_work, TrailName));
    }

    [IterationCleanup]
    public void DeleteCopy()
    {
        _trail.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<long> VerifyWholeTrail() => (await _trail.VerifyAsync()).RecordsChecked;

    [Benchmark]
    public async Task<long> ArchiveAndPrune()
    {
        var outcome = await _trail.ArchiveAsync(new ArchiveSelection(_selection, """{"policy":"benchmark"}"""), new FolderArchiveTarget(Path.Combine(_work, "archive")));
        return outcome.Manifest.Count;
    }
}
