using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

public sealed class RecoveryTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Reopening_resumes_the_chain_after_the_old_head()
    {
        var first = await TrailFixtures.WriteAndCloseAsync(_folder, 5);

        await using var trail = _folder.Open();
        var next = await trail.AppendAsync(Entries.ToolCall(5));

        Assert.Equal(5, next.Sequence);
        Assert.Equal(first[^1].Hash, next.PreviousHash);
        var result = await trail.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(6, result.RecordsChecked);
    }

    [Fact]
    public async Task A_torn_final_journal_frame_is_cut_off_and_the_chain_still_verifies()
    {
        var written = await TrailFixtures.WriteAndCloseAsync(_folder, 5);
        var intactLength = new FileInfo(_folder.JournalPath).Length;
        // A crash in the middle of writing the next group commit: the start of a frame, then nothing.
        var lastFrame = File.ReadAllBytes(_folder.JournalPath)[^300..];
        await using (var journal = new FileStream(_folder.JournalPath, FileMode.Append))
            journal.Write(lastFrame.AsSpan(0, 100));

        await using var trail = _folder.Open();

        Assert.Equal(intactLength, new FileInfo(_folder.JournalPath).Length);
        var result = await trail.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(written[^1].Hash, result.HeadHash);
        Assert.Equal(5, (await trail.AppendAsync(Entries.ToolCall(5))).Sequence);
    }

    [Fact]
    public async Task A_damaged_frame_of_an_acknowledged_commit_is_corruption_not_a_torn_tail()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 10);
        DamageJournalMiddle();

        var error = Assert.Throws<AuditStoreCorruptException>(() => _folder.Open());

        Assert.Contains(_folder.JournalPath, error.Message);
        Assert.Contains("damaged before its end", error.Message);
    }

    [Fact]
    public async Task A_damaged_frame_followed_by_later_group_commits_is_corruption_even_if_the_query_store_lost_them()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 10);
        LiteDbSurgery.Edit(_folder.DbPath, records => records.DeleteAll());
        DamageJournalMiddle();

        var error = Assert.Throws<AuditStoreCorruptException>(() => _folder.Open());

        Assert.Contains("later group commit", error.Message);
    }

    private void DamageJournalMiddle()
    {
        var bytes = File.ReadAllBytes(_folder.JournalPath);
        bytes[bytes.Length / 3] ^= 0x20;
        File.WriteAllBytes(_folder.JournalPath, bytes);
    }

    [Fact]
    public async Task Records_the_query_store_lost_are_replayed_from_the_journal()
    {
        var written = await TrailFixtures.WriteAndCloseAsync(_folder, 10);
        // LiteDB's commit is not durable: after a crash it may lack the newest acknowledged records.
        LiteDbSurgery.Edit(_folder.DbPath, records => records.DeleteMany(LiteDB.Query.GTE("_id", 7)));

        await using var trail = _folder.Open();

        Assert.Equal(written, await TrailFixtures.QueryAllAsync(trail));
        Assert.True((await trail.VerifyAsync()).IsValid);
        Assert.Equal(10, (await trail.AppendAsync(Entries.ToolCall(10))).Sequence);
    }

    [Fact]
    public async Task A_read_only_trail_sees_acknowledged_records_the_query_store_lacks()
    {
        var written = await TrailFixtures.WriteAndCloseAsync(_folder, 10);
        LiteDbSurgery.Edit(_folder.DbPath, records => records.DeleteMany(LiteDB.Query.GTE("_id", 7)));

        await using var trail = _folder.Open(readOnly: true);

        Assert.Equal(written, await TrailFixtures.QueryAllAsync(trail));
        Assert.Equal(written.Where(r => r.ToolName == "lookup_patient"), await TrailFixtures.QueryAllAsync(trail, new AuditQuery { ToolName = "lookup_patient" }));
        var result = await trail.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(10, result.RecordsChecked);
        var error = await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.AppendAsync(Entries.ToolCall(10)));
        Assert.Contains("read-only", error.Message);
    }

    [Fact]
    public async Task A_query_store_that_disagrees_with_the_journal_at_its_tail_is_refused_for_writing()
    {
        var written = await TrailFixtures.WriteAndCloseAsync(_folder, 5);
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            var document = records.FindById(4);
            document["hash"] = written[3].Hash;
            records.Update(document);
        });

        var error = Assert.Throws<AuditStoreCorruptException>(() => _folder.Open());

        Assert.Contains("disagree about sequence 4", error.Message);
    }
}
