using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Tests.Support;

/// <summary>A signing key per test run and trail options that sign checkpoints with it.</summary>
internal static class CheckpointFixtures
{
    public const string Origin = "audit.example/tests";

    private static readonly (string Signer, string Verifier) Keys = NoteKeys.Generate(Origin);

    public static NoteSigner Signer { get; } = NoteSigner.Parse(Keys.Signer);

    public static NoteVerifier Verifier { get; } = NoteVerifier.Parse(Keys.Verifier);

    public static string ExportDirectory(TrailFolder folder) => Path.Combine(folder.Root, "checkpoints");

    public static AuditTrailOptions Options(TrailFolder folder, int everyRecords = 0, TimeSpan? interval = null, bool readOnly = false) => new()
    {
        TimeProvider = folder.Time,
        ReadOnly = readOnly,
        Checkpoints = readOnly ? null : new CheckpointOptions
        {
            Signer = Signer,
            EveryRecords = everyRecords,
            Interval = interval,
            ExportDirectory = ExportDirectory(folder),
        },
    };

    public static LiteDbAuditTrail Open(TrailFolder folder, int everyRecords = 0, TimeSpan? interval = null) =>
        AuditTrail.OpenLiteDb(folder.DbPath, Options(folder, everyRecords, interval));

    /// <summary>The latest exported checkpoint, read with the test key.</summary>
    public static SignedCheckpoint LatestExport(TrailFolder folder) =>
        SignedCheckpoint.Parse(File.ReadAllText(Path.Combine(ExportDirectory(folder), "checkpoint")), Verifier);

    /// <summary>Appends <paramref name="count"/> tool-call records one by one.</summary>
    public static async Task AppendAsync(IAuditTrail trail, int count, int start = 0)
    {
        for (var i = start; i < start + count; i++)
            await trail.AppendAsync(Entries.ToolCall(i));
    }
}
