using System.Security.Cryptography;
using System.Text;
using AuditGen.Archive;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Archive;

public sealed class ArchiveVerificationTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private FolderArchiveTarget Target => ArchiveFixtures.Target(_folder);

    private async Task<(LiteDbAuditTrail Trail, ArchiveOutcome Outcome)> ArchivedAsync()
    {
        var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 20);
        var outcome = await trail.ArchiveAsync(ArchiveFixtures.Select(2, 3, 5, 8, 9), Target);
        return (trail, outcome);
    }

    [Fact]
    public async Task Archives_and_the_live_log_verify_as_one_continuous_history()
    {
        var (trail, _) = await ArchivedAsync();
        await using var _ = trail;
        var second = await trail.ArchiveAsync(ArchiveFixtures.Select(4, 6, 10), Target); // interleaves with the first segment

        var result = await trail.VerifyWithArchivesAsync(Target);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(8, result.ArchivedRecordsChecked);
        Assert.True(second.Manifest.FirstSequence < 8);
    }

    [Fact]
    public async Task A_read_only_reader_verifies_archives_and_live_log_after_the_writer_closed()
    {
        var (trail, _) = await ArchivedAsync();
        await trail.DisposeAsync();
        await using var reader = _folder.Open(readOnly: true);

        var result = await reader.VerifyWithArchivesAsync(Target);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(5, result.ArchivedRecordsChecked);
    }

    [Fact]
    public async Task A_missing_segment_is_named_with_its_first_sequence()
    {
        var (trail, outcome) = await ArchivedAsync();
        await using var _ = trail;
        File.Delete(Target.SegmentPath(outcome.Manifest.SegmentId));

        var result = await trail.VerifyWithArchivesAsync(Target);

        Assert.Equal(VerificationFailure.ArchiveMissing, result.Failure);
        Assert.Equal(outcome.Manifest.SegmentId, result.ArchiveSegment);
        Assert.Equal(2, result.FirstBrokenSequence);
        Assert.Contains("segment file is missing", result.Reason);
    }

    [Fact]
    public async Task A_missing_manifest_is_named()
    {
        var (trail, outcome) = await ArchivedAsync();
        await using var _ = trail;
        File.Delete(Target.ManifestPath(outcome.Manifest.SegmentId));

        var result = await trail.VerifyWithArchivesAsync(Target);

        Assert.Equal(VerificationFailure.ArchiveMissing, result.Failure);
        Assert.Equal(outcome.Manifest.SegmentId, result.ArchiveSegment);
        Assert.Contains("manifest is missing", result.Reason);
    }

    [Fact]
    public async Task One_flipped_byte_in_the_segment_file_is_detected_and_the_segment_named()
    {
        var (trail, outcome) = await ArchivedAsync();
        await using var _ = trail;
        var path = Target.SegmentPath(outcome.Manifest.SegmentId);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var result = await trail.VerifyWithArchivesAsync(Target);

        Assert.Equal(VerificationFailure.ArchiveCorrupt, result.Failure);
        Assert.Equal(outcome.Manifest.SegmentId, result.ArchiveSegment);
        Assert.InRange(result.FirstBrokenSequence!.Value, 2, 9);
        Assert.Contains("SHA-256", result.Reason);
    }

    [Fact]
    public async Task One_edited_line_gzipped_again_is_named_at_its_sequence()
    {
        var (trail, outcome) = await ArchivedAsync();
        await using var _ = trail;
        var path = Target.SegmentPath(outcome.Manifest.SegmentId);
        var lines = ArchiveFixtures.ReadSegmentLines(path);
        lines[2] = lines[2].Replace("content-00005", "content-99999", StringComparison.Ordinal);
        ArchiveFixtures.WriteSegmentLines(path, lines);

        var result = await trail.VerifyWithArchivesAsync(Target);

        Assert.Equal(VerificationFailure.ArchiveCorrupt, result.Failure);
        Assert.Equal(outcome.Manifest.SegmentId, result.ArchiveSegment);
        Assert.Equal(5, result.FirstBrokenSequence);
        Assert.Contains("edited", result.Reason);
    }

    [Fact]
    public async Task A_segment_and_manifest_edited_consistently_are_caught_by_the_live_chain()
    {
        var (trail, outcome) = await ArchivedAsync();
        await using var _ = trail;
        var path = Target.SegmentPath(outcome.Manifest.SegmentId);
        var lines = ArchiveFixtures.ReadSegmentLines(path);
        // A careful forger: edits sequence 5, re-hashes it so it is self-consistent, and fixes the manifest's checksum and root.
        var forged = AuditRecordCodec.Deserialize(Encoding.UTF8.GetBytes(lines[2])) with { UserId = "someone-else" };
        forged = forged with { Hash = ChainHasher.ComputeRecordHash(forged) };
        lines[2] = Encoding.UTF8.GetString(AuditRecordCodec.Serialize(forged));
        ArchiveFixtures.WriteSegmentLines(path, lines);
        var tree = new AuditGen.Integrity.Merkle.MerkleTree(new AuditGen.Integrity.Merkle.InMemoryMerkleNodeStore());
        foreach (var line in lines)
            tree.Append(MerkleProof.HashLeaf(AuditRecordCodec.GetCanonicalBytes(AuditRecordCodec.Deserialize(Encoding.UTF8.GetBytes(line)))));
        var segment = File.ReadAllBytes(path);
        var manifest = outcome.Manifest with
        {
            SegmentSha256 = HashHex.Encode(SHA256.HashData(segment)),
            SegmentBytes = segment.Length,
            MerkleRoot = HashHex.Encode(tree.Root()),
        };
        File.WriteAllBytes(Target.ManifestPath(manifest.SegmentId), manifest.ToCanonicalJson());

        var result = await trail.VerifyWithArchivesAsync(Target);

        Assert.Equal(VerificationFailure.ArchiveMismatch, result.Failure);
        Assert.Equal(outcome.Manifest.SegmentId, result.ArchiveSegment);
        Assert.Equal(5, result.FirstBrokenSequence);
        Assert.Contains("not the record the live log chained", result.Reason);
    }

    [Fact]
    public async Task A_live_chain_failure_comes_before_archive_checks()
    {
        var (trail, outcome) = await ArchivedAsync();
        await trail.DisposeAsync();
        File.Delete(Target.SegmentPath(outcome.Manifest.SegmentId));
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            var document = records.FindById(1);
            document["userId"] = "mallory";
            records.Update(document);
        });
        await using var reader = _folder.Open(readOnly: true);

        var result = await reader.VerifyWithArchivesAsync(Target);

        Assert.Equal(1, result.FirstBrokenSequence);
        Assert.Equal(VerificationFailure.HashMismatch, result.Failure);
    }
}
