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

    /// <summary>The same shape with no HMAC-redacted argument: the wrapper's own work.</summary>
    [Benchmark]
    public string GeneratedWrapperFailOpenNoHmac() => _audited.LookupWardPlain("north-3", 3);

    /// <summary>One BCL HMAC-SHA256 (OpenSSL on Linux) of the same value: the floor the HMAC-redacted call cannot go under.</summary>
    [Benchmark]
    public int HmacSha256OfTheArgument()
    {
        System.Security.Cryptography.HMACSHA256.TryHashData(_key, "MRN-0042"u8, _mac, out var written);
        return written;
    }

    private readonly byte[] _key = new byte[32];
    private readonly byte[] _mac = new byte[32];
}
