using System.Diagnostics;
using System.Globalization;

namespace AuditGen.Benchmarks;

/// <summary>
/// The tree's cost on the durable writer measured A/B/A/B: rounds with and without the tree alternate, so load that
/// drifts on a shared machine hits both sides alike (BenchmarkDotNet runs all of one, then all of the other). Reports
/// the median time per record of each side and their ratio.
/// </summary>
internal static class TreeCostInterleaved
{
    private const int Writers = 16;
    private const int RecordsPerWriter = 512;
    private const int InFlight = 32;

    public static async Task RunAsync(TextWriter output, int rounds)
    {
        var directory = Directory.CreateTempSubdirectory("auditgen-treecost-").FullName;
        try
        {
            var with = new List<double>();
            var without = new List<double>();
            for (var round = -1; round < rounds; round++)
            {
                // Alternate which side goes first, and discard round −1 (warm-up).
                var withFirst = round % 2 == 0;
                var a = await MeasureAsync(directory, withTree: withFirst);
                var b = await MeasureAsync(directory, withTree: !withFirst);
                if (round < 0)
                    continue;
                (withFirst ? with : without).Add(a);
                (withFirst ? without : with).Add(b);
            }
            with.Sort();
            without.Sort();
            var medianWith = with[with.Count / 2];
            var medianWithout = without[without.Count / 2];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| without tree (baseline) | {medianWithout:F1} µs | {1e6 / medianWithout:F0} | 100 % |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| with tree | {medianWith:F1} µs | {1e6 / medianWith:F0} | {100 * medianWithout / medianWith:F1} % |"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // Microseconds per record for one run of 16 pipelined writers.
    private static async Task<double> MeasureAsync(string directory, bool withTree)
    {
        var path = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".db");
        var trail = withTree ? AuditTrail.OpenLiteDb(path) : AuditTrail.OpenLiteDbWithoutTree(path);
        var clock = Stopwatch.StartNew();
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
        return clock.Elapsed.TotalMicroseconds / (Writers * RecordsPerWriter);
    }
}
