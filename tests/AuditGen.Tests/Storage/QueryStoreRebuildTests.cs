using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

public sealed class QueryStoreRebuildTests : IDisposable
{
    private const int RecordCount = 12;
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string ExpectedDamagedPath => _folder.DbPath + ".damaged-20250314092653";

    [Fact]
    public async Task Opening_a_trail_whose_query_store_is_garbage_fails_with_a_hint_to_rebuild_from_the_journal()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, RecordCount);
        OverwriteQueryStoreWithGarbage();

        var error = Assert.Throws<AuditStoreCorruptException>(() => _folder.Open());

        Assert.Contains("cannot be opened as a LiteDB database", error.Message);
        Assert.Contains($"`auditgen rebuild {_folder.DbPath}`", error.Message);
        Assert.Contains("AuditTrail.RebuildQueryStore", error.Message);
        Assert.Contains(_folder.JournalPath, error.Message);
    }

    [Fact]
    public async Task Rebuild_indexes_every_journal_record_and_moves_the_damaged_store_aside_byte_for_byte()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, RecordCount);
        var garbage = OverwriteQueryStoreWithGarbage();

        var result = AuditTrail.RebuildQueryStore(_folder.DbPath, _folder.Options());

        Assert.Equal(RecordCount, result.RecordsIndexed);
        Assert.False(result.TornTailIgnored);
        Assert.Equal(ExpectedDamagedPath, result.DamagedStoreMovedTo);
        Assert.Equal(garbage, File.ReadAllBytes(ExpectedDamagedPath));
    }

    [Fact]
    public async Task After_a_rebuild_the_trail_opens_verifies_and_returns_the_records_that_were_appended()
    {
        var written = await TrailFixtures.WriteAndCloseAsync(_folder, RecordCount);
        OverwriteQueryStoreWithGarbage();

        AuditTrail.RebuildQueryStore(_folder.DbPath, _folder.Options());

        await using var trail = _folder.Open();
        var verification = await trail.VerifyAsync();
        Assert.True(verification.IsValid, verification.Reason);
        Assert.Equal(RecordCount, verification.RecordsChecked);
        Assert.Equal(written[^1].Hash, verification.HeadHash);
        Assert.Equal(written, await TrailFixtures.QueryAllAsync(trail));
    }

    [Fact]
    public async Task After_a_rebuild_appending_continues_the_chain()
    {
        var written = await TrailFixtures.WriteAndCloseAsync(_folder, RecordCount);
        OverwriteQueryStoreWithGarbage();
        AuditTrail.RebuildQueryStore(_folder.DbPath, _folder.Options());

        await using var trail = _folder.Open();
        var next = await trail.AppendAsync(Entries.ToolCall(RecordCount));

        Assert.Equal(RecordCount, next.Sequence);
        Assert.Equal(written[^1].Hash, next.PreviousHash);
        var verification = await trail.VerifyAsync();
        Assert.True(verification.IsValid, verification.Reason);
        Assert.Equal(RecordCount + 1, verification.RecordsChecked);
    }

    [Fact]
    public async Task Rebuild_recreates_a_deleted_query_store_and_reports_nothing_moved()
    {
        var written = await TrailFixtures.WriteAndCloseAsync(_folder, RecordCount);
        File.Delete(_folder.DbPath);

        var result = AuditTrail.RebuildQueryStore(_folder.DbPath, _folder.Options());

        Assert.Equal(RecordCount, result.RecordsIndexed);
        Assert.Null(result.DamagedStoreMovedTo);
        Assert.Empty(Directory.GetFiles(_folder.Root, "*.damaged-*"));
        await using var trail = _folder.Open();
        Assert.True((await trail.VerifyAsync()).IsValid);
        Assert.Equal(written, await TrailFixtures.QueryAllAsync(trail));
    }

    [Fact]
    public async Task Rebuild_refuses_a_journal_damaged_in_the_middle_and_leaves_the_query_store_untouched()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, RecordCount);
        var garbage = OverwriteQueryStoreWithGarbage();
        var journal = File.ReadAllBytes(_folder.JournalPath);
        journal[journal.Length / 3] ^= 0x20;
        File.WriteAllBytes(_folder.JournalPath, journal);

        var error = Assert.Throws<AuditStoreCorruptException>(() => AuditTrail.RebuildQueryStore(_folder.DbPath, _folder.Options()));

        Assert.Contains("sequence", error.Message);
        Assert.Contains("damaged before its end", error.Message);
        Assert.Equal(garbage, File.ReadAllBytes(_folder.DbPath));
        Assert.Equal(journal, File.ReadAllBytes(_folder.JournalPath));
        Assert.Empty(Directory.GetFiles(_folder.Root, "*.damaged-*"));
    }

    [Fact]
    public async Task Rebuild_ignores_a_torn_final_group_commit_and_says_so()
    {
        var written = await TrailFixtures.WriteAndCloseAsync(_folder, RecordCount);
        // A crash in the middle of writing the next group commit: the start of a frame, then nothing.
        var lastFrame = File.ReadAllBytes(_folder.JournalPath)[^300..];
        await using (var journal = new FileStream(_folder.JournalPath, FileMode.Append))
            journal.Write(lastFrame.AsSpan(0, 100));
        OverwriteQueryStoreWithGarbage();

        var result = AuditTrail.RebuildQueryStore(_folder.DbPath, _folder.Options());

        Assert.True(result.TornTailIgnored);
        Assert.Equal(RecordCount, result.RecordsIndexed);
        await using var trail = _folder.Open();
        var verification = await trail.VerifyAsync();
        Assert.True(verification.IsValid, verification.Reason);
        Assert.Equal(written[^1].Hash, verification.HeadHash);
        Assert.Equal(RecordCount, (await trail.AppendAsync(Entries.ToolCall(RecordCount))).Sequence);
    }

    [Fact]
    public async Task Rebuild_is_refused_while_a_writer_holds_the_trail()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, RecordCount);
        await using var writer = _folder.Open();

        Assert.Throws<AuditTrailLockedException>(() => AuditTrail.RebuildQueryStore(_folder.DbPath, _folder.Options()));

        Assert.Empty(Directory.GetFiles(_folder.Root, "*.damaged-*"));
        Assert.Equal(RecordCount, (await writer.AppendAsync(Entries.ToolCall(RecordCount))).Sequence);
    }

    [Fact]
    public void Rebuild_of_a_trail_without_a_journal_fails_and_creates_nothing()
    {
        var error = Assert.Throws<AuditTrailException>(() => AuditTrail.RebuildQueryStore(_folder.DbPath, _folder.Options()));

        Assert.Contains("nothing to rebuild from", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Root));
    }

    private byte[] OverwriteQueryStoreWithGarbage()
    {
        var garbage = new byte[3 * 8192];
        new Random(20250314).NextBytes(garbage);
        File.WriteAllBytes(_folder.DbPath, garbage);
        return garbage;
    }
}
