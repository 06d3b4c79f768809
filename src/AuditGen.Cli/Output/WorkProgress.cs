using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace AuditGen.Cli.Output;

/// <summary>
/// Runs long work over a trail's records with a live progress bar (records/s, time remaining) on an interactive
/// terminal; anywhere else (redirected, piped, in tests) it runs quietly and prints nothing extra.
/// </summary>
internal static class WorkProgress
{
    public static async Task<T> RunAsync<T>(CliOutput io, string label, long total, Func<IProgress<long>?, Task<T>> work)
    {
        if (!io.Console.Profile.Capabilities.Interactive || total <= 0)
            return await work(null);

        T result = default!;
        await io.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(label, maxValue: total);
                var clock = Stopwatch.StartNew();
                var progress = new Progress<long>(done =>
                {
                    task.Value = Math.Min(done, total);
                    var rate = done / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                    task.Description = $"{label} ({rate.ToString("N0", CultureInfo.InvariantCulture)} records/s)";
                });
                result = await work(progress);
                task.Value = total;
            });
        return result;
    }
}
