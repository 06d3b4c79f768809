using AuditGen.Archive;
using AuditGen.Canonical;
using AuditGen.Erasure;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Erasure;

/// <summary>Erasure and archives: an archived record keeps only its commitments, so erasing its subject leaves nothing readable in the archive either.</summary>
public sealed class ErasureArchiveTests : IDisposable
{
    private const string Note = "Alice Example: archived psychiatric assessment";
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string ArchivePath => Path.Combine(_folder.Root, "archive");

    private List<AuditRecord> ArchivedRecords() =>
        Directory.GetFiles(ArchivePath, "*" + FolderArchiveTarget.SegmentSuffix)
            .SelectMany(ReadSegment)
            .ToList();

    private static IEnumerable<AuditRecord> ReadSegment(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Select(l => AuditRecordCodec.Deserialize(System.Text.Encoding.UTF8.GetBytes(l))).ToList();
    }

    [Fact]
    public async Task An_archived_sealed_record_reads_back_until_its_subject_is_erased_and_then_nothing_of_it_remains()
    {
        await using (var trail = SealingFixture.Open(_folder))
        {
            await SealingFixture.RecordNoteAsync(trail, "MRN-ALICE", Note, "assessment filed");
            await SealingFixture.RecordNoteAsync(trail, "MRN-BOB", "Bob Sample: routine check", "filed");
            await trail.ArchiveAsync(new ArchiveSelection([0, 1], """{"policies":["hipaa"]}"""), new FolderArchiveTarget(ArchivePath));

            var archived = ArchivedRecords();
            Assert.Equal(2, archived.Count);
            Assert.Contains("\"$sealed\"", archived[0].Details, StringComparison.Ordinal);
            Assert.Equal("\"" + Note + "\"", (await trail.ReadSealedAsync(archived[0])).Values.Single().Json);

            await trail.EraseSubjectAsync("MRN-ALICE", "Art. 17", "dpo");

            Assert.True((await trail.ReadSealedAsync(archived[0])).Values.Single().IsErased);
            Assert.True((await trail.VerifyAsync()).IsValid);
        }

        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, Note));
        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, "Alice Example"));
        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, "MRN-ALICE"));
    }
}
