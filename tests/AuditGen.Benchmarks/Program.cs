using AuditGen.Benchmarks;
using BenchmarkDotNet.Running;

// `dotnet run -c Release --project tests/AuditGen.Benchmarks -- --filter *` runs the BenchmarkDotNet suites;
// `-- latency` measures fail-closed tool-call latency percentiles (p50/p99) against a durable LiteDB trail.
if (args.Length > 0 && args[0] == "latency")
{
    await FailClosedLatency.RunAsync(Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
