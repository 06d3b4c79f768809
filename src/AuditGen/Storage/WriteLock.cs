namespace AuditGen.Storage;

/// <summary>
/// The one-writer-per-chain guarantee: a lock file beside the store, held open with <see cref="FileShare.None"/>
/// (an exclusive <c>flock</c> on Unix, a share-mode lock on Windows) for as long as the writer lives. A second writer,
/// in this process or another, fails to open it instead of forking the chain. The file is never deleted: deleting it
/// would let two writers hold "the" lock on different inodes.
/// </summary>
internal sealed class WriteLock : IDisposable
{
    private readonly FileStream _stream;

    private WriteLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock at <paramref name="lockPath"/>.</summary>
    /// <exception cref="AuditTrailLockedException">Another writer holds it.</exception>
    public static WriteLock Acquire(string lockPath)
    {
        try
        {
            return new WriteLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0));
        }
        catch (IOException e) when (e is not (DirectoryNotFoundException or FileNotFoundException or PathTooLongException))
        {
            throw new AuditTrailLockedException(
                $"The audit trail is locked: another writer (in this or another process) holds the write lock '{lockPath}'. " +
                "Only one writer may append to a chain; open it with ReadOnly to read and verify.", e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
