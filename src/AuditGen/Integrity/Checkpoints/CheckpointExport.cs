using System.Globalization;
using AuditGen.Storage.Journal;

namespace AuditGen.Integrity.Checkpoints;

/// <summary>
/// Writes signed checkpoints to an export folder: <c>checkpoint-{size}</c> for each and <c>checkpoint</c> for the latest
/// (written to a temporary file, fsynced, renamed over the old one and the folder fsynced, so a crash leaves the old
/// latest or the new one, never half of either).
/// </summary>
internal static class CheckpointExport
{
    public const string LatestName = "checkpoint";

    public static string PathFor(string directory, long treeSize) =>
        System.IO.Path.Combine(directory, $"checkpoint-{treeSize.ToString(CultureInfo.InvariantCulture)}");

    /// <exception cref="IOException">The folder or a file could not be written.</exception>
    public static void Write(string directory, SignedCheckpoint checkpoint)
    {
        Directory.CreateDirectory(directory);
        var bytes = System.Text.Encoding.UTF8.GetBytes(checkpoint.NoteText);
        WriteAtomically(PathFor(directory, checkpoint.Checkpoint.TreeSize), bytes);
        WriteAtomically(System.IO.Path.Combine(directory, LatestName), bytes);
        DirectorySync.Flush(directory);
    }

    /// <summary>The latest exported checkpoint's note text, or <see langword="null"/> when there is none.</summary>
    public static string? ReadLatest(string directory)
    {
        var path = System.IO.Path.Combine(directory, LatestName);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
