using BenchmarkDotNet.Attributes;

namespace AuditGen.Benchmarks;

/// <summary>
/// Per-call cost of the generated wrapper against a direct call, fail-open, for a tool with two arguments (one
/// HMAC-redacted). The trail discards entries, so the figure is the wrapper's own work on the caller's thread:
/// capture, redaction, two entries built and handed to the trail.
/// </summary>
[MemoryDiagnoser]
public class WrapperOverheadBenchmarks
{
    private readonly BenchmarkTools _direct = new();
    private AuditedBenchmarkTools _audited = null!;

    [GlobalSetup]
    public void Setup()
    {
        var trail = new DiscardingAuditTrail(new AuditTrailOptions { HmacKey = new byte[32], FailurePolicy = AuditFailurePolicy.FailOpen });
        _audited = new AuditedBenchmarkTools(_direct, trail);
    }

    [Benchmark(Baseline = true)]
    public string Direct() => _direct.LookupWard("MRN-0042", 3);

    [Benchmark]
    public string GeneratedWrapperFailOpen() => _audited.LookupWard("MRN-0042", 3);
}
