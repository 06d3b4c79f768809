namespace AuditGen.Archive;

/// <summary>
/// Where archive segments go: a folder by default (<see cref="FolderArchiveTarget"/>), object storage later. A segment
/// is a gzip-compressed JSON Lines file of archived records; its manifest (<see cref="ArchiveManifest"/>) describes and
/// checksums it. Both are addressed by segment id. A target publishes atomically: a reader sees the whole content or
/// nothing, never a prefix, and once a publish returns the content is durable.
/// </summary>
public interface IArchiveTarget
{
    /// <summary>Where the target keeps segments, for messages and records (a folder path, a bucket URI).</summary>
    string Location { get; }

    /// <summary>
    /// Publishes the segment <paramref name="segmentId"/>: <paramref name="writeContent"/> writes its bytes to the
    /// stream it is given; only when it completes is the segment made durable and visible (replacing any earlier
    /// segment of that id). If it throws, nothing is published.
    /// </summary>
    /// <exception cref="ArchiveTargetException">The target cannot be written.</exception>
    Task PublishSegmentAsync(string segmentId, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken = default);

    /// <summary>Publishes the manifest of <paramref name="segmentId"/> (atomic and durable once this returns).</summary>
    /// <exception cref="ArchiveTargetException">The target cannot be written.</exception>
    Task PublishManifestAsync(string segmentId, ReadOnlyMemory<byte> manifest, CancellationToken cancellationToken = default);

    /// <summary>Opens the segment's bytes for reading, or returns <see langword="null"/> when the target has no such segment.</summary>
    /// <exception cref="ArchiveTargetException">The target cannot be read.</exception>
    Task<Stream?> OpenSegmentAsync(string segmentId, CancellationToken cancellationToken = default);

    /// <summary>The manifest's bytes, or <see langword="null"/> when the target has no manifest for <paramref name="segmentId"/>.</summary>
    /// <exception cref="ArchiveTargetException">The target cannot be read.</exception>
    Task<byte[]?> ReadManifestAsync(string segmentId, CancellationToken cancellationToken = default);

    /// <summary>The ids of every segment that has a published manifest.</summary>
    /// <exception cref="ArchiveTargetException">The target cannot be read.</exception>
    IAsyncEnumerable<string> ListSegmentsAsync(CancellationToken cancellationToken = default);
}

/// <summary>An archive target could not be read or written (missing or unreadable folder, permissions, I/O).</summary>
public sealed class ArchiveTargetException : AuditTrailException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveTargetException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public ArchiveTargetException(string message, Exception innerException) : base(message, innerException) { }
}
