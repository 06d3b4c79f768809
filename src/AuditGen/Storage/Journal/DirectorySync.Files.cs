using System.Runtime.InteropServices;

namespace AuditGen.Storage.Journal;

internal static partial class DirectorySync
{
    /// <summary>
    /// fsyncs a file another component wrote through its own handle (LiteDB's data file after a checkpoint): fsync covers
    /// the file, whichever descriptor wrote it, and a read-only descriptor takes no lock that could clash with the owner's.
    /// </summary>
    /// <exception cref="IOException">The file could not be opened or synced.</exception>
    public static void FlushFile(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            stream.Flush(flushToDisk: true);
            return;
        }
        var descriptor = Open(path, 0 /* O_RDONLY */);
        if (descriptor < 0)
            throw new IOException($"Could not open '{path}' to make it durable (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(descriptor) != 0)
                throw new IOException($"Could not fsync '{path}' (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(descriptor);
        }
    }
}
