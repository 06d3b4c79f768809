using AuditGen.Integrity.Checkpoints;
using BenchmarkDotNet.Attributes;

namespace AuditGen.Benchmarks;

/// <summary>
/// Full verification of a 20,000-record LiteDB trail (chain, journal cross-check, Merkle root against a signed
/// checkpoint) against merely reading the same records from the same store (<c>QueryAsync</c> of everything), in the
/// same run. The ratio says whether verification is bounded by reading or by hashing.
/// </summary>
public class VerificationRateBenchmarks
{
    private const int Records = 20_000;
    private string _directory = null!;
    private LiteDbAuditTrail _trail = null!;
    private SignedCheckpoint _checkpoint = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("auditgen-verify-").FullName;
        var path = Path.Combine(_directory, "verify.db");
        var (signerKey, _) = NoteKeys.Generate("bench.example/log");
        await using (var writer = AuditTrail.OpenLiteDb(path, new AuditTrailOptions
        {
            Checkpoints = new CheckpointOptions { Signer = NoteSigner.Parse(signerKey), EveryRecords = 1_000, Interval = null },
        }))
        {
            var pending = new List<Task>(512);
            for (var i = 0; i < Records; i++)
            {
                pending.Add(writer.AppendAsync(SampleEntries.Entry(i % 16, i)).AsTask());
                if (pending.Count == 512)
                {
                    await Task.WhenAll(pending);
                    pending.Clear();
                }
            }
            await Task.WhenAll(pending);
            _checkpoint = await writer.CheckpointAsync();
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
    public async Task<long> VerifyChainAndJournal() => (await _trail.VerifyAsync()).RecordsChecked;

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task<long> VerifyAgainstSignedCheckpoint() => (await _trail.VerifyAsync(_checkpoint)).RecordsChecked;
}
