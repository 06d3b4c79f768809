using System.IO.Compression;
using System.Text;
using AuditGen.Archive;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Retention;

internal static class RetentionHistory
{
    /// <summary>
    /// Every archived record (each segment in <paramref name="archivePath"/>) plus every live one: each sequence exactly
    /// once, and together one valid chain from sequence 0 to the head. For a LiteDB trail the library's own
    /// <see cref="LiteDbAuditTrail.VerifyWithArchivesAsync"/> must agree.
    /// </summary>
    public static async Task<SortedDictionary<long, AuditRecord>> AssertOneHistoryAsync(IAuditTrail trail, string archivePath)
    {
        var all = new SortedDictionary<long, AuditRecord>();
        foreach (var segment in Directory.Exists(archivePath) ? Directory.GetFiles(archivePath, "*.jsonl.gz") : [])
        {
            using var file = File.OpenRead(segment);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            while (await reader.ReadLineAsync() is { } line)
            {
                var record = AuditRecordCodec.Deserialize(Encoding.UTF8.GetBytes(line));
                Assert.True(all.TryAdd(record.Sequence, record), $"sequence {record.Sequence} is archived twice");
            }
        }
        foreach (var record in await TrailFixtures.QueryAllAsync(trail))
            Assert.True(all.TryAdd(record.Sequence, record), $"sequence {record.Sequence} is both archived and live");
        var verifier = new ChainVerifier();
        var position = 0L;
        foreach (var record in all.Values)
            verifier.Observe(position++, record);
        var result = verifier.Complete();
        Assert.True(result.IsValid, result.Reason);
        if (trail is LiteDbAuditTrail liteDb)
        {
            var combined = await liteDb.VerifyWithArchivesAsync(new FolderArchiveTarget(archivePath));
            Assert.True(combined.IsValid, combined.Reason);
            Assert.Equal(all.Count, combined.RecordsChecked);
            Assert.Equal(all.Count - (await TrailFixtures.QueryAllAsync(trail)).Count, combined.ArchivedRecordsChecked);
        }
        return all;
    }
}
