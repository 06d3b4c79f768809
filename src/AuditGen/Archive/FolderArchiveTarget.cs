using System.Runtime.CompilerServices;
using AuditGen.Storage.Journal;

namespace AuditGen.Archive;

/// <summary>
/// The default archive target: a folder holding <c>{segment}.jsonl.gz</c> and <c>{segment}.manifest.json</c>. Each is
/// written to a temporary name, fsynced, renamed into place and the folder fsynced, so a crash leaves either the whole
/// file or none (a leftover <c>.tmp</c> is ignored and replaced by the next publish). The folder is created on the first
/// publish if it does not exist; listing a folder that does not exist is an error, not an empty archive (a single
/// segment or manifest looked up there is simply absent).
/// </summary>
public sealed class FolderArchiveTarget : IArchiveTarget
{
    /// <summary>The segment file's suffix.</summary>
    public const string SegmentSuffix = ".jsonl.gz";

    /// <summary>The manifest file's suffix.</summary>
    public const string ManifestSuffix = ".manifest.json";

    /// <summary>Uses the folder at <paramref name="path"/>.</summary>
    public FolderArchiveTarget(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Location = Path.GetFullPath(path);
    }

    /// <inheritdoc />
    public string Location { get; }

    /// <summary>The path of <paramref name="segmentId"/>'s segment file.</summary>
    public string SegmentPath(string segmentId) => Path.Combine(Location, CheckId(segmentId) + SegmentSuffix);

    /// <summary>The path of <paramref name="segmentId"/>'s manifest file.</summary>
    public string ManifestPath(string segmentId) => Path.Combine(Location, CheckId(segmentId) + ManifestSuffix);

    /// <inheritdoc />
    public async Task PublishSegmentAsync(string segmentId, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writeContent);
        await PublishAsync(SegmentPath(segmentId), writeContent, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task PublishManifestAsync(string segmentId, ReadOnlyMemory<byte> manifest, CancellationToken cancellationToken = default) =>
        PublishAsync(ManifestPath(segmentId), (stream, ct) => stream.WriteAsync(manifest, ct).AsTask(), cancellationToken);

    /// <inheritdoc />
    public Task<Stream?> OpenSegmentAsync(string segmentId, CancellationToken cancellationToken = default)
    {
        var path = SegmentPath(segmentId);
        if (!EnsureReadable(missingIsEmpty: true))
            return Task.FromResult<Stream?>(null);
        try
        {
            return Task.FromResult<Stream?>(File.Exists(path)
                ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan)
                : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveTargetException($"The archive segment '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async Task<byte[]?> ReadManifestAsync(string segmentId, CancellationToken cancellationToken = default)
    {
        var path = ManifestPath(segmentId);
        if (!EnsureReadable(missingIsEmpty: true))
            return null;
        try
        {
            return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveTargetException($"The archive manifest '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListSegmentsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EnsureReadable(missingIsEmpty: false);
        string[] files;
        try
        {
            files = Directory.GetFiles(Location, "*" + ManifestSuffix);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveTargetException($"The archive folder '{Location}' cannot be listed: {e.Message}", e);
        }
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = Path.GetFileName(file)[..^ManifestSuffix.Length];
            if (ArchiveIds.IsValidSegmentId(id))
                yield return id;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    // A missing folder holds no segment (a first archive run creates it); listing one is an error, not an empty archive.
    private bool EnsureReadable(bool missingIsEmpty)
    {
        if (File.Exists(Location))
            throw new ArchiveTargetException($"The archive folder '{Location}' is a file, not a folder.");
        if (Directory.Exists(Location))
            return true;
        return missingIsEmpty ? false : throw new ArchiveTargetException($"The archive folder '{Location}' does not exist.");
    }

    private async Task PublishAsync(string path, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        try
        {
            if (File.Exists(Location))
                throw new ArchiveTargetException($"The archive folder '{Location}' is a file, not a folder.");
            var created = !Directory.Exists(Location);
            Directory.CreateDirectory(Location);
            if (created && Path.GetDirectoryName(Location) is { } parent)
                DirectorySync.Flush(parent);
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, FileOptions.Asynchronous))
            {
                await writeContent(file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            DirectorySync.Flush(Location);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new ArchiveTargetException($"Cannot write '{path}' in the archive folder '{Location}': {e.Message}", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The temporary file is ignored by readers and replaced by the next publish; the original failure is what matters.
            _ = e;
        }
    }

    private static string CheckId(string segmentId) =>
        ArchiveIds.IsValidSegmentId(segmentId) ? segmentId : throw new ArgumentException($"'{segmentId}' is not a valid segment id (1–100 of a-z, 0-9, '-').", nameof(segmentId));
}
