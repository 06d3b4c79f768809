using AuditGen.Integrity.Checkpoints;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

/// <summary>SIGKILL a writer that signs checkpoints; after reopening, tree, chain and latest checkpoint agree.</summary>
public sealed class CheckpointCrashTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(50)] // killed mostly while appending
    [InlineData(1)]  // a checkpoint in every group commit: killed while checkpointing
    public async Task After_a_sigkill_the_tree_the_chain_and_the_latest_checkpoint_agree(int everyRecords)
    {
        var keyPath = Path.Combine(_folder.Root, "signing.key");
        var (signerKey, verifierKey) = NoteKeys.Generate(CheckpointFixtures.Origin);
        await File.WriteAllTextAsync(keyPath, signerKey);
        var exportDirectory = CheckpointFixtures.ExportDirectory(_folder);
        var verifier = NoteVerifier.Parse(verifierKey);

        await KillWhileWritingAsync(keyPath, exportDirectory, everyRecords);

        var options = new AuditTrailOptions
        {
            TimeProvider = _folder.Time,
            Checkpoints = new CheckpointOptions { SigningKeyPath = keyPath, ExportDirectory = exportDirectory, EveryRecords = everyRecords },
        };
        await using (var reopened = AuditTrail.OpenLiteDb(_folder.DbPath, options))
        {
            var records = await TrailFixtures.QueryAllAsync(reopened);
            var latest = reopened.LatestCheckpoint!;

            Assert.True((await reopened.VerifyAsync()).IsValid);
            Assert.Equal(records.Count, reopened.TreeSize);
            Assert.Equal(Integrity.Merkle.NaiveMerkle.Root(MerkleTrailTests.Leaves(records)), reopened.GetRoot(records.Count));
            Assert.Equal(latest.Checkpoint.RootHash, reopened.GetRoot(latest.Checkpoint.TreeSize));
            var exported = SignedCheckpoint.Parse(await File.ReadAllTextAsync(Path.Combine(exportDirectory, "checkpoint")), verifier);
            Assert.Equal(latest.NoteText, exported.NoteText); // a checkpoint recorded but not yet exported is exported on open
            var againstExport = await reopened.VerifyAsync(exported);
            Assert.True(againstExport.IsValid, againstExport.Reason);
        }
    }

    private async Task KillWhileWritingAsync(string keyPath, string exportDirectory, int everyRecords)
    {
        using var writer = CrashWriterProcess.Start(_folder.DbPath, "append", "8", keyPath, exportDirectory, everyRecords.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var acknowledged = 0;
        while (acknowledged < 600)
        {
            var line = await writer.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new Xunit.Sdk.XunitException($"The crash writer exited early: {await writer.StandardError.ReadToEndAsync()}");
            if (line.StartsWith("ACK ", StringComparison.Ordinal))
                acknowledged++;
        }
        writer.Kill(entireProcessTree: true);
        await writer.WaitForExitAsync(timeout.Token);
    }
}
