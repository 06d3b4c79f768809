using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace AuditGen.Cli.Output;

/// <summary>
/// Runs a verification with a live progress bar (records/s and time remaining) when the output is an interactive
/// terminal; anywhere else (redirected, piped, in tests) it runs quietly and prints nothing extra.
/// </summary>
internal static class VerificationProgress
{
    public static async Task<VerificationResult> RunAsync(CliOutput io, long total, Func<IProgress<long>?, Task<VerificationResult>> verify)
    {
        if (!io.Console.Profile.Capabilities.Interactive || total <= 0)
            return await verify(null);

        VerificationResult? result = null;
        await io.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Verifying", maxValue: total);
                var clock = Stopwatch.StartNew();
                var progress = new Progress<long>(checkedSoFar =>
                {
                    task.Value = checkedSoFar;
                    var rate = checkedSoFar / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                    task.Description = $"Verifying ({rate.ToString("N0", CultureInfo.InvariantCulture)} records/s)";
                });
                result = await verify(progress);
                task.Value = total;
            });
        return result!;
    }
}
