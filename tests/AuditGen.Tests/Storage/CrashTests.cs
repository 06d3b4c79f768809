using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

public sealed class CrashTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Every_record_acknowledged_before_a_sigkill_survives_with_its_acknowledged_hash()
    {
        var acknowledged = new Dictionary<long, string>();
        using (var writer = CrashWriterProcess.Start(_folder.DbPath, "append", "8"))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            while (acknowledged.Count < 2_000)
            {
                var line = await writer.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new Xunit.Sdk.XunitException($"The crash writer exited early: {await writer.StandardError.ReadToEndAsync()}");
                if (line.StartsWith("ACK ", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ');
                    acknowledged.Add(long.Parse(parts[1]), parts[2]);
                }
            }

            writer.Kill(entireProcessTree: true); // SIGKILL: no dispose, no flush, no finalizers.
            await writer.WaitForExitAsync(timeout.Token);

            // Lines already in the pipe were acknowledged before the kill, too.
            while (await writer.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                if (line.StartsWith("ACK ", StringComparison.Ordinal) && line.Split(' ') is [_, var sequence, var hash])
                    acknowledged[long.Parse(sequence)] = hash;
        }

        await using var trail = _folder.Open();
        var result = await trail.VerifyAsync();
        var stored = (await TrailFixtures.QueryAllAsync(trail)).ToDictionary(r => r.Sequence, r => r.Hash);

        Assert.True(result.IsValid, result.Reason);
        Assert.All(acknowledged, ack => Assert.Equal(ack.Value, stored.GetValueOrDefault(ack.Key)));
        Assert.True(stored.Count >= acknowledged.Count);
    }

    [Fact]
    public async Task A_writer_in_another_process_gets_a_locked_error_naming_the_lock()
    {
        await using var trail = _folder.Open();

        using var other = CrashWriterProcess.Start(_folder.DbPath, "lock");
        var output = await other.StandardOutput.ReadToEndAsync();
        await other.WaitForExitAsync();

        Assert.StartsWith("LOCKED ", output);
        Assert.Contains(_folder.LockPath, output);
        Assert.Contains("another writer", output);
    }
}
