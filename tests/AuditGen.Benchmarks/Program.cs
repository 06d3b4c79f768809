using AuditGen.Benchmarks;
using BenchmarkDotNet.Running;

// `dotnet run -c Release --project tests/AuditGen.Benchmarks -- --filter *` runs the BenchmarkDotNet suites;
// `-- latency` measures fail-closed tool-call latency percentiles (p50/p99) against a durable LiteDB trail.
if (args.Length > 0 && args[0] == "latency")
{
    await FailClosedLatency.RunAsync(Console.Out);
    return;
}

// `-- treecost [rounds]` measures the Merkle tree's cost on durable appends A/B/A/B (see TreeCostInterleaved).
if (args.Length > 0 && args[0] == "treecost")
{
    await TreeCostInterleaved.RunAsync(Console.Out, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
