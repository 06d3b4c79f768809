using System.Runtime.InteropServices;

namespace AuditGen.Storage.Journal;

/// <summary>
/// Makes a new file's directory entry durable. On Linux and macOS an fsync of a file does not cover its name in the
/// directory: after a power loss a freshly created journal could vanish whole, fsynced records and all. .NET cannot open
/// a directory as a file handle, so this asks libc directly. Windows (NTFS) journals its metadata and needs nothing.
/// </summary>
internal static partial class DirectorySync
{
    /// <exception cref="IOException">The directory could not be opened or synced.</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
            return;

        var descriptor = Open(directory, 0 /* O_RDONLY */);
        if (descriptor < 0)
            throw new IOException($"Could not open directory '{directory}' to make a new journal durable (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(descriptor) != 0)
                throw new IOException($"Could not fsync directory '{directory}' after creating the journal (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
