using System.Text;
using LiteDB;

namespace AuditGen.Cli.Trails;

/// <summary>
/// Opens an existing trail for reading. Never creates one: a missing path is reported, not turned into an empty,
/// trivially valid trail. Every way a trail can be unreadable becomes a <see cref="TrailUnavailableException"/>
/// with a one-line message.
/// </summary>
internal static class TrailFile
{
    private const int HeaderInfoOffset = 32;
    private const byte EncryptedFileMarker = 1;
    private const int PageSize = 8192;
    private static readonly byte[] LiteDbHeaderInfo = Encoding.ASCII.GetBytes("** This is a LiteDB file **");

    /// <summary>Opens the trail at <paramref name="path"/> read-only (no write lock; appends refused).</summary>
    /// <exception cref="TrailUnavailableException">The trail is missing, not a trail, corrupt or unreadable.</exception>
    public static LiteDbAuditTrail OpenReadOnly(string path)
    {
        EnsureLooksLikeATrail(path);
        try
        {
            return AuditTrail.OpenLiteDb(path, new AuditTrailOptions { ReadOnly = true });
        }
        catch (Exception exception) when (Describe(exception, path) is { } message)
        {
            throw new TrailUnavailableException(message, exception);
        }
    }

    /// <summary>Opens the existing trail at <paramref name="path"/> for writing with <paramref name="options"/> (takes the write lock).</summary>
    /// <exception cref="TrailUnavailableException">The trail is missing, not a trail, corrupt, locked or unreadable.</exception>
    public static LiteDbAuditTrail OpenForWriting(string path, AuditTrailOptions options)
    {
        EnsureLooksLikeATrail(path);
        try
        {
            return AuditTrail.OpenLiteDb(path, options);
        }
        catch (Exception exception) when (Describe(exception, path) is { } message)
        {
            throw new TrailUnavailableException(message, exception);
        }
    }

    /// <summary>
    /// A one-line description of <paramref name="exception"/> when it means the trail cannot be read (corrupt store,
    /// I/O or permission failure, lock), or <see langword="null"/> for anything else (a bug, which should surface).
    /// </summary>
    public static string? Describe(Exception exception, string path) => exception switch
    {
        TrailUnavailableException unavailable => unavailable.Message,
        AuditStoreCorruptException corrupt => $"{path} cannot be read as an audit trail: {OneLine(corrupt.Message)}",
        AuditTrailLockedException locked => $"{path} is locked: {OneLine(locked.Message)}",
        AuditTrailException trail => $"{path}: {OneLine(trail.Message)}",
        LiteException lite => $"{path} cannot be read as an audit trail: {OneLine(lite.Message)}",
        FileNotFoundException or DirectoryNotFoundException => $"trail not found: {path}",
        UnauthorizedAccessException denied => $"permission denied reading {path}: {OneLine(denied.Message)}",
        IOException io => $"cannot read {path}: {OneLine(io.Message)}",
        _ => null,
    };

    private static void EnsureLooksLikeATrail(string path)
    {
        if (Directory.Exists(path))
            throw new TrailUnavailableException($"{path} is a directory, not a trail file");
        if (!File.Exists(path))
            throw new TrailUnavailableException($"trail not found: {path}");

        var header = new byte[HeaderInfoOffset + LiteDbHeaderInfo.Length];
        int read;
        long length;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            length = stream.Length;
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (Exception exception) when (Describe(exception, path) is { } message)
        {
            throw new TrailUnavailableException(message, exception);
        }

        var isPlainLiteDb = read == header.Length && header.AsSpan(HeaderInfoOffset).SequenceEqual(LiteDbHeaderInfo);
        // An encrypted LiteDB file starts with a marker byte and is made of whole pages.
        var isEncryptedLiteDb = read > 0 && header[0] == EncryptedFileMarker && length >= PageSize && length % PageSize == 0;
        if (!isPlainLiteDb && !isEncryptedLiteDb)
            throw new TrailUnavailableException($"{path} is not an AuditGen trail (not a LiteDB file)");
    }

    private static string OneLine(string message) =>
        message.ReplaceLineEndings(" ").Trim();
}
