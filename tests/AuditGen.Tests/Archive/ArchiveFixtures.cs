using System.IO.Compression;
using System.Text;
using AuditGen.Archive;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Archive;

/// <summary>Helpers for archive tests: a trail with records, an archive folder, selections, reading segments back.</summary>
internal static class ArchiveFixtures
{
    public const string RetentionDetails = """{"policies":["hipaa"],"reason":"expired"}""";

    public static string ArchivePath(TrailFolder folder) => Path.Combine(folder.Root, "archive");

    public static FolderArchiveTarget Target(TrailFolder folder) => new(ArchivePath(folder));

    public static ArchiveSelection Select(params long[] sequences) => new(sequences, RetentionDetails);

    public static ArchiveSelection Range(long first, long last) => Select(Enumerable.Range((int)first, (int)(last - first + 1)).Select(i => (long)i).ToArray());

    /// <summary>Appends <paramref name="count"/> distinct tool-call records; returns them.</summary>
    public static async Task<List<AuditRecord>> AppendAsync(IAuditTrail trail, int count, int start = 0)
    {
        var records = new List<AuditRecord>();
        for (var i = start; i < start + count; i++)
            records.Add(await trail.AppendAsync(Entries.ToolCall(i) with { Details = $$"""{"n":{{i}},"note":"content-{{i:D5}}"}""" }));
        return records;
    }

    /// <summary>The decompressed lines of a segment file.</summary>
    public static List<string> ReadSegmentLines(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var text = reader.ReadToEnd();
        Assert.EndsWith("\n", text);
        return text[..^1].Split('\n').ToList();
    }

    /// <summary>Rewrites a segment file from (possibly edited) lines.</summary>
    public static void WriteSegmentLines(string path, IEnumerable<string> lines)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
        gzip.Write(bytes);
    }

    public static bool FileContains(string path, string text)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
    }
}
