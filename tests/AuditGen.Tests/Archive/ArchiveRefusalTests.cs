using AuditGen.Archive;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Archive;

public sealed class ArchiveRefusalTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<ArgumentException> RefusedAsync(LiteDbAuditTrail trail, ArchiveSelection selection)
    {
        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => trail.ArchiveAsync(selection, ArchiveFixtures.Target(_folder)));
        Assert.False(Directory.Exists(ArchiveFixtures.ArchivePath(_folder)) && Directory.EnumerateFiles(ArchiveFixtures.ArchivePath(_folder)).Any(),
            "A refused selection must write nothing.");
        var result = await trail.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
        return error;
    }

    [Fact]
    public async Task A_lifecycle_record_is_refused_naming_its_action()
    {
        await using var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 3);
        await trail.ArchiveAsync(ArchiveFixtures.Select(0), ArchiveFixtures.Target(_folder)); // archive_created at 3, retention_applied at 4
        await ArchiveFixtures.AppendAsync(trail, 2, start: 3);
        Directory.Delete(ArchiveFixtures.ArchivePath(_folder), recursive: true);

        var error = await RefusedAsync(trail, ArchiveFixtures.Select(3));

        Assert.Contains("archive_created", error.Message);
        Assert.Contains("never archived", error.Message);
    }

    [Fact]
    public async Task A_signed_checkpoint_record_is_refused()
    {
        await using var trail = CheckpointFixtures.Open(_folder);
        await ArchiveFixtures.AppendAsync(trail, 3);
        var checkpoint = await trail.CheckpointAsync(); // its record is sequence 3
        await ArchiveFixtures.AppendAsync(trail, 2, start: 3);

        var error = await RefusedAsync(trail, ArchiveFixtures.Select(checkpoint.Checkpoint.TreeSize));

        Assert.Contains("checkpoint_signed", error.Message);
    }

    [Fact]
    public async Task The_chains_newest_record_is_refused()
    {
        await using var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 5);

        var error = await RefusedAsync(trail, ArchiveFixtures.Select(3, 4));

        Assert.Contains("newest", error.Message);
    }

    [Fact]
    public async Task A_sequence_beyond_the_trail_is_refused()
    {
        await using var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 5);

        var error = await RefusedAsync(trail, ArchiveFixtures.Select(2, 9));

        Assert.Contains("Sequence 9 is not in the trail", error.Message);
    }

    [Theory]
    [InlineData(new long[] { 3, 2 })]
    [InlineData(new long[] { 2, 2 })]
    public async Task Unsorted_or_repeated_sequences_are_refused(long[] sequences)
    {
        await using var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 5);

        var error = await RefusedAsync(trail, ArchiveFixtures.Select(sequences));

        Assert.Contains("ascending and distinct", error.Message);
    }

    [Fact]
    public async Task An_empty_selection_is_refused()
    {
        await using var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 5);

        var error = await RefusedAsync(trail, ArchiveFixtures.Select());

        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public async Task Retention_details_that_are_not_a_json_object_are_refused()
    {
        await using var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 5);

        var error = await RefusedAsync(trail, new ArchiveSelection([1], "[1,2]"));

        Assert.Contains("JSON object", error.Message);
    }

    [Fact]
    public async Task A_record_already_archived_in_another_segment_is_refused()
    {
        await using var trail = _folder.Open();
        await ArchiveFixtures.AppendAsync(trail, 6);
        var first = await trail.ArchiveAsync(ArchiveFixtures.Select(1, 2), ArchiveFixtures.Target(_folder));

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => trail.ArchiveAsync(ArchiveFixtures.Select(2, 3), ArchiveFixtures.Target(_folder)));

        Assert.Contains("already archived", error.Message);
        Assert.Contains(first.Manifest.SegmentId, error.Message);
        Assert.Single(Directory.GetFiles(ArchiveFixtures.ArchivePath(_folder), "*.jsonl.gz"));
    }

    [Fact]
    public async Task A_read_only_trail_cannot_archive()
    {
        await using (var writer = _folder.Open())
            await ArchiveFixtures.AppendAsync(writer, 5);
        await using var trail = _folder.Open(readOnly: true);

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => trail.ArchiveAsync(ArchiveFixtures.Select(1), ArchiveFixtures.Target(_folder)));

        Assert.Contains("read-only", error.Message);
    }
}
