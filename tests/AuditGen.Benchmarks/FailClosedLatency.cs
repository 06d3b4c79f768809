using System.Diagnostics;
using System.Globalization;

namespace AuditGen.Benchmarks;

/// <summary>
/// Latency a fail-closed tool call adds over a direct call when both of its records must be durable before the
/// caller sees the result: 16 concurrent callers against a LiteDB trail, percentiles over every call.
/// </summary>
internal static class FailClosedLatency
{
    private const int Callers = 16;
    private const int CallsPerCaller = 1_000;

    public static async Task RunAsync(TextWriter output)
    {
        var directory = Directory.CreateTempSubdirectory("auditgen-latency-").FullName;
        try
        {
            var tools = new BenchmarkTools();
            var direct = await MeasureAsync(() => tools.LookupWardClosedAsync("MRN-0042", 3));
            await using var trail = AuditTrail.OpenLiteDb(Path.Combine(directory, "latency.db"), new AuditTrailOptions { HmacKey = new byte[32] });
            var audited = new AuditedBenchmarkTools(tools, trail);
            await MeasureAsync(() => audited.LookupWardClosedAsync("MRN-0042", 3)); // warm-up
            var closed = await MeasureAsync(() => audited.LookupWardClosedAsync("MRN-0042", 3));

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| direct call | {Percentile(direct, 0.50):F1} µs | {Percentile(direct, 0.99):F1} µs |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| fail-closed audited call (2 durable records) | {Percentile(closed, 0.50):F1} µs | {Percentile(closed, 0.99):F1} µs |"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<double[]> MeasureAsync(Func<Task<string>> call)
    {
        var samples = new double[Callers * CallsPerCaller];
        var tasks = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            var caller = c;
            tasks[c] = Task.Run(async () =>
            {
                for (var i = 0; i < CallsPerCaller; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await call();
                    samples[caller * CallsPerCaller + i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            });
        }

        await Task.WhenAll(tasks);
        Array.Sort(samples);
        return samples;
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
}
