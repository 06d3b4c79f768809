namespace AuditGen.Storage.Journal;

/// <summary>
/// The journal's file, behind a seam so tests can observe or fail the durability barrier. The writer appends a whole
/// group commit with <see cref="Append"/> and makes it durable with <see cref="FlushToDisk"/> before acknowledging it.
/// </summary>
internal interface IJournalFile : IDisposable
{
    /// <summary>The file's path, for messages.</summary>
    string Path { get; }

    /// <summary>Current length in bytes.</summary>
    long Length { get; }

    /// <summary>Appends <paramref name="data"/> at the end of the file (not yet durable).</summary>
    void Append(ReadOnlySpan<byte> data);

    /// <summary>Makes everything appended so far durable (fsync).</summary>
    void FlushToDisk();

    /// <summary>Cuts the file to <paramref name="length"/> bytes and makes that durable (drops a torn tail).</summary>
    void Truncate(long length);

    /// <summary>Opens an independent reader positioned at the start of the file.</summary>
    Stream OpenRead();

    /// <summary>
    /// Overwrites <paramref name="data"/> at <paramref name="offset"/> (before the end) without moving the append
    /// position: archival replaces archived frames by stubs of the same length while the writer appends at the tail.
    /// </summary>
    void WriteAt(long offset, ReadOnlySpan<byte> data);

    /// <summary>Makes every <see cref="WriteAt"/> so far durable (fsync).</summary>
    void FlushWritesAtToDisk();
}

/// <summary>Opens a journal file: for appending (created if missing) or, when <paramref name="readOnly"/>, for reading only.</summary>
internal delegate IJournalFile JournalFileOpener(string path, bool readOnly);
