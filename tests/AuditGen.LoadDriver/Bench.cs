using System.Diagnostics;
using System.Globalization;
using AuditGen.PostgreSql;

namespace AuditGen.LoadDriver;

/// <summary>
/// The load benchmark: records/s of durable appends for 1, 4 and 16 writers per process, in 1 process (LiteDB and
/// PostgreSQL) and in 4 processes appending to one PostgreSQL log (LiteDB allows one writing process per file). Each
/// configuration runs <c>--rounds</c> times; the median is reported with the ratios to LiteDB and to the baseline
/// (<see cref="PlainInserts"/>: the same writers' plain durable INSERTs into a table of the same shape) measured in the
/// same run.
/// </summary>
internal static class Bench
{
    public static async Task<int> RunAsync(Arguments arguments)
    {
        var postgres = arguments.Required("postgres");
        var rounds = arguments.Int("rounds", 3);
        var perWriter = arguments.Int("records", 1500);
        var maxTotal = arguments.Int("max-total", 24_000);
        // --only 1x16,4x4: just those rows (processes x writers per process), e.g. to compare two builds quickly.
        var only = arguments.Get("only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        bool Wanted(int processes, int writers) => only is null || only.Contains($"{processes}x{writers}");
        var folder = arguments.Get("litedb-dir") ?? Path.Combine(Path.GetTempPath(), "auditgen-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);

        // The store's schema first (opening a trail creates it), then the baseline's table of the same shape.
        var setup = await PostgreSqlAuditTrail.OpenAsync(postgres, "bench-setup");
        await setup.DisposeAsync();
        await PlainInserts.CreateTableAsync(postgres);
        await using var plainSource = PlainInserts.DataSource(postgres);

        Console.WriteLine($"Durable appends, {rounds} rounds per row (median), {Environment.ProcessorCount} cores, shared machine.");
        Console.WriteLine();
        Console.WriteLine("| processes | writers per process | writers in all | records | LiteDB records/s | PostgreSQL records/s | PostgreSQL / LiteDB | plain INSERT records/s | PostgreSQL / plain |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var writers in new[] { 1, 4, 16 }.Where(w => Wanted(1, w)))
        {
            var total = Math.Min(perWriter * writers, maxTotal);
            var lite = await MedianAsync(rounds, () => InProcessAsync(() => Task.FromResult<IAuditTrail>(
                AuditTrail.OpenLiteDb(Path.Combine(folder, $"bench-{Guid.NewGuid():N}.db"))), writers, total / writers));
            var pg = await MedianAsync(rounds, () => InProcessAsync(async () =>
                await PostgreSqlAuditTrail.OpenAsync(postgres, $"bench-{Guid.NewGuid():N}"), writers, total / writers));
            var plain = await MedianAsync(rounds, () => PlainInProcessAsync(plainSource, writers, total / writers));
            Row(1, writers, total, lite, pg, plain);
        }
        foreach (var writers in new[] { 1, 4, 16 }.Where(w => Wanted(4, w)))
        {
            var total = Math.Min(perWriter * writers * 4, maxTotal);
            var pg = await MedianAsync(rounds, () => MultiProcessAsync(postgres, 4, writers, total / (4 * writers), plain: false));
            var plain = await MedianAsync(rounds, () => MultiProcessAsync(postgres, 4, writers, total / (4 * writers), plain: true));
            Row(4, writers, total, null, pg, plain);
        }
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    private static void Row(int processes, int writers, int total, double? lite, double pg, double plain) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {processes} | {writers} | {processes * writers} | {total:N0} | {(lite is { } l ? l.ToString("N0", CultureInfo.InvariantCulture) : "— (one writer per file)")} | {pg:N0} | {(lite is { } x ? (pg / x).ToString("F2", CultureInfo.InvariantCulture) : "—")} | {plain:N0} | {pg / plain:F2} |"));

    private static async Task<double> MedianAsync(int rounds, Func<Task<double>> run)
    {
        var rates = new List<double>();
        for (var i = 0; i < rounds; i++)
            rates.Add(await run());
        rates.Sort();
        return rates[rates.Count / 2];
    }

    private static async Task<double> InProcessAsync(Func<Task<IAuditTrail>> open, int writers, int perWriter)
    {
        var trail = await open();
        try
        {
            await trail.AppendAsync(Append.Entry(0, 0, 0)); // warm: schema, connection, JIT
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < perWriter; i++)
                    await trail.AppendAsync(Append.Entry(0, w, i));
            })));
            return writers * perWriter / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            await ((IAsyncDisposable)trail).DisposeAsync();
        }
    }

    private static async Task<double> PlainInProcessAsync(Npgsql.NpgsqlDataSource dataSource, int writers, int perWriter)
    {
        var log = $"bench-{Guid.NewGuid():N}";
        await PlainInserts.WriteAsync(dataSource, log, 0, 0, 1); // warm, as the store's rows are
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => PlainInserts.WriteAsync(dataSource, log, 0, w, perWriter))));
        return writers * perWriter / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> MultiProcessAsync(string postgres, int processes, int writers, int perWriter, bool plain)
    {
        var log = $"bench-{Guid.NewGuid():N}";
        var children = new List<Process>();
        try
        {
            for (var p = 0; p < processes; p++)
            {
                var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var argument in new[] { typeof(Bench).Assembly.Location, "append", "--postgres", postgres, "--log", log,
                    "--writers", writers.ToString(CultureInfo.InvariantCulture), "--count", perWriter.ToString(CultureInfo.InvariantCulture), "--wait-for-go" })
                    start.ArgumentList.Add(argument);
                if (plain)
                    start.ArgumentList.Add("--plain");
                children.Add(Process.Start(start)!);
            }
            foreach (var child in children)
                await ExpectAsync(child, "READY");
            var watch = Stopwatch.StartNew();
            foreach (var child in children)
                await child.StandardInput.WriteLineAsync("GO");
            foreach (var child in children)
                await ExpectAsync(child, "DONE");
            return processes * writers * perWriter / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var child in children)
            {
                if (!child.HasExited)
                    child.Kill(entireProcessTree: true);
                child.Dispose();
            }
        }
    }

    private static async Task ExpectAsync(Process child, string prefix)
    {
        while (await child.StandardOutput.ReadLineAsync() is { } line)
            if (line.StartsWith(prefix, StringComparison.Ordinal))
                return;
        throw new InvalidOperationException($"a load driver child exited (code {(child.HasExited ? child.ExitCode : -1)}) before printing {prefix}");
    }
}
