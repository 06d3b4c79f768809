namespace AuditGen.Storage.Journal;

/// <summary>The real journal file: unbuffered appends, <see cref="FileStream.Flush(bool)"/> with <c>true</c> (fsync) as the barrier.</summary>
internal sealed class FileJournalFile : IJournalFile
{
    private readonly FileStream? _stream;
    private FileStream? _rewriter;

    private FileJournalFile(string path, FileStream? stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>Opens <paramref name="path"/>; see <see cref="JournalFileOpener"/>.</summary>
    public static IJournalFile Open(string path, bool readOnly)
    {
        if (readOnly)
            return new FileJournalFile(path, null);
        var created = !File.Exists(path);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0, FileOptions.None);
        try
        {
            if (created)
                DirectorySync.Flush(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            stream.Seek(0, SeekOrigin.End);
            return new FileJournalFile(path, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <inheritdoc />
    public long Length => _stream?.Length ?? (File.Exists(Path) ? new FileInfo(Path).Length : 0);

    /// <inheritdoc />
    public void Append(ReadOnlySpan<byte> data) => Writable.Write(data);

    /// <inheritdoc />
    public void FlushToDisk() => Writable.Flush(flushToDisk: true);

    /// <inheritdoc />
    public void Truncate(long length)
    {
        Writable.SetLength(length);
        Writable.Seek(0, SeekOrigin.End);
        Writable.Flush(flushToDisk: true);
    }

    /// <inheritdoc />
    public Stream OpenRead() =>
        File.Exists(Path) || _stream is not null
            ? new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1 << 16, FileOptions.SequentialScan)
            : Stream.Null;

    /// <inheritdoc />
    /// <remarks>
    /// Through a second handle of its own (the appending stream is shared with <see cref="FileShare.ReadWrite"/> for it;
    /// the trail's write lock keeps other processes out), so the appender's position is never touched.
    /// </remarks>
    public void WriteAt(long offset, ReadOnlySpan<byte> data)
    {
        _ = Writable;
        if (offset < JournalFormat.FileHeaderLength)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "A rewrite must lie inside the journal's frames, after its header.");
        var rewriter = _rewriter ??= new FileStream(Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        rewriter.Seek(offset, SeekOrigin.Begin);
        rewriter.Write(data);
    }

    /// <inheritdoc />
    public void FlushWritesAtToDisk() => _rewriter?.Flush(flushToDisk: true);

    /// <inheritdoc />
    public void Dispose()
    {
        _rewriter?.Dispose();
        _stream?.Dispose();
    }

    private FileStream Writable => _stream ?? throw new InvalidOperationException($"The journal '{Path}' is open read-only.");
}
