using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace AuditGen.PostgreSql.Tests.Support;

/// <summary>One tests/AuditGen.LoadDriver child appending to a PostgreSQL log, writing every acknowledgement to a file.</summary>
internal sealed class LoadDriverProcess : IDisposable
{
    private readonly Process _process;

    private LoadDriverProcess(Process process, string ackPath)
    {
        _process = process;
        AckPath = ackPath;
    }

    public string AckPath { get; }

    public static LoadDriverProcess Start(string connectionString, string logId, int writers, int perWriter, string ackPath)
    {
        var dll = typeof(LoadDriverProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LoadDriverPath").Value!;
        Assert.True(File.Exists(dll), $"The load driver was not built at {dll}.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, "append", "--postgres", connectionString, "--log", logId,
            "--writers", writers.ToString(CultureInfo.InvariantCulture), "--count", perWriter.ToString(CultureInfo.InvariantCulture), "--acks", ackPath })
            start.ArgumentList.Add(argument);
        return new LoadDriverProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the load driver."), ackPath);
    }

    /// <summary>Reads the child's output until it reports at least <paramref name="acked"/> acknowledgements.</summary>
    public async Task WaitForProgressAsync(int acked)
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
            if (line.StartsWith("PROGRESS ", StringComparison.Ordinal) && int.Parse(line[9..], CultureInfo.InvariantCulture) >= acked)
                return;
        Assert.Fail($"The load driver exited before {acked} acknowledgements: {await _process.StandardError.ReadToEndAsync()}");
    }

    /// <summary>kill -9.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task ExpectSuccessAsync(TimeSpan timeout)
    {
        var output = _process.StandardOutput.ReadToEndAsync();
        var error = _process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"The load driver did not finish within {timeout}.");
        }
        Assert.True(_process.ExitCode == 0, $"The load driver failed ({_process.ExitCode}): {await error}\n{await output}");
    }

    /// <summary>Every acknowledgement the child wrote down (a line cut off by a kill was never complete, so never counted).</summary>
    public IReadOnlyList<(long Sequence, string Hash, Guid Id)> ReadAcknowledgements()
    {
        var text = File.ReadAllText(AckPath);
        var complete = text.EndsWith('\n') ? text : text[..(text.LastIndexOf('\n') + 1)];
        return complete.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var parts = line.Split(' ');
            Assert.Equal("ACK", parts[0]);
            return (long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], Guid.Parse(parts[3]));
        }).ToList();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
