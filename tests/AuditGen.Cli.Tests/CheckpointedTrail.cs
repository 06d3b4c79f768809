using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Cli.Tests;

/// <summary>A sample trail that signs checkpoints with a key written by <c>auditgen keys generate</c>, exporting them.</summary>
internal sealed class CheckpointedTrail
{
    private CheckpointedTrail(TempFolder folder, string keyPath, string verifierKey)
    {
        Folder = folder;
        KeyPath = keyPath;
        VerifierKey = verifierKey;
    }

    public TempFolder Folder { get; }

    public string Path => Folder.File("audit.db");

    public string KeyPath { get; }

    public string PublicKeyPath => KeyPath + ".pub";

    public string VerifierKey { get; }

    public string ExportDirectory => Folder.File("checkpoints");

    public string LatestCheckpoint => System.IO.Path.Combine(ExportDirectory, "checkpoint");

    public string CheckpointOf(long size) => System.IO.Path.Combine(ExportDirectory, $"checkpoint-{size}");

    /// <summary>The key at <paramref name="keyPath"/> (from <c>auditgen keys generate</c>), exporting to the folder; no trail file is written.</summary>
    public static Task<CheckpointedTrail> ForKeyAsync(TempFolder folder, string keyPath) =>
        Task.FromResult(new CheckpointedTrail(folder, keyPath, File.ReadAllText(keyPath + ".pub").Trim()));

    public static async Task<CheckpointedTrail> CreateAsync(TempFolder folder)
    {
        var keyPath = folder.File("log.key");
        var run = await CliRun.Of("keys", "generate", "--name", "audit.example/cli", "--out", keyPath);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var trail = new CheckpointedTrail(folder, keyPath, File.ReadAllText(keyPath + ".pub").Trim());
        await trail.AppendAsync();
        return trail;
    }

    /// <summary>Appends the sample's six records in one session; closing signs a checkpoint of everything.</summary>
    public async Task AppendAsync()
    {
        await using var trail = AuditTrail.OpenLiteDb(Path, new AuditTrailOptions
        {
            Checkpoints = new CheckpointOptions { SigningKeyPath = KeyPath, ExportDirectory = ExportDirectory },
        });
        await SampleTrail.AppendAsync(trail);
    }

    public SignedCheckpoint Read(string file) => SignedCheckpoint.Parse(File.ReadAllText(file), NoteVerifier.Parse(VerifierKey));

    /// <summary>The trail's own files (not the export folder), to restore as an older copy.</summary>
    public Dictionary<string, byte[]> Copy() =>
        Directory.EnumerateFiles(Folder.Path, "audit.db*").ToDictionary(f => f, f => File.ReadAllBytes(f));

    public void Restore(Dictionary<string, byte[]> copy)
    {
        foreach (var file in Directory.EnumerateFiles(Folder.Path, "audit.db*"))
            File.Delete(file);
        foreach (var (file, bytes) in copy)
            File.WriteAllBytes(file, bytes);
    }
}
