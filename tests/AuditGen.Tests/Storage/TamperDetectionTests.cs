using AuditGen.Tests.Support;
using LiteDB;

namespace AuditGen.Tests.Storage;

/// <summary>An attacker with write access to the LiteDB file edits it; an auditor opens the trail read-only and verifies.</summary>
public sealed class TamperDetectionTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task An_untouched_trail_verifies()
    {
        var written = await TrailFixtures.WriteAndCloseAsync(_folder, 20);

        var result = await VerifyReadOnlyAsync();

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(20, result.RecordsChecked);
        Assert.Equal(written[^1].Hash, result.HeadHash);
    }

    [Fact]
    public async Task A_classification_changed_in_the_store_is_a_hash_mismatch_at_that_sequence()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 20);
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            var document = records.FindById(7);
            document["classification"] = "public";
            records.Update(document);
        });

        var result = await VerifyReadOnlyAsync();

        Assert.Equal(VerificationFailure.HashMismatch, result.Failure);
        Assert.Equal(7, result.FirstBrokenSequence);
        Assert.Contains("Sequence 7", result.Reason);
    }

    [Fact]
    public async Task A_deleted_record_is_a_gap_at_its_sequence()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 20);
        LiteDbSurgery.Edit(_folder.DbPath, records => records.Delete(7));

        var result = await VerifyReadOnlyAsync();

        Assert.Equal(VerificationFailure.Gap, result.Failure);
        Assert.Equal(7, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task A_naive_copy_inserted_into_the_store_is_detected_at_the_insertion_point()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 20);
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            LiteDbSurgery.ShiftUp(records, 5);
            records.Insert(LiteDbSurgery.Copy(records.FindById(4), newPosition: 5));
        });

        var result = await VerifyReadOnlyAsync();

        Assert.Equal(VerificationFailure.Reorder, result.Failure);
        Assert.Equal(5, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task A_forged_record_with_a_correct_self_hash_is_caught_by_the_journal_at_the_insertion_point()
    {
        var written = await TrailFixtures.WriteAndCloseAsync(_folder, 20);
        // The forged record claims sequence 5, chains onto record 4 and is hashed with the published formula, so the
        // chain alone accepts it and first breaks at position 6 (where the displaced genuine record 5 sits). The journal
        // still holds the genuine record 5, so the two copies disagree right at the forgery.
        var forged = Chains.Rehash(written[5] with { ToolName = "delete_all_records", PreviousHash = written[4].Hash });
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            LiteDbSurgery.ShiftUp(records, 5);
            records.Insert(AuditGen.Storage.LiteDbRecordMapping.ToDocument(5, forged));
        });

        var result = await VerifyReadOnlyAsync();

        Assert.Equal(VerificationFailure.JournalMismatch, result.Failure);
        Assert.Equal(5, result.FirstBrokenSequence);
        Assert.Contains(forged.Hash[..12], result.Reason);
    }

    [Fact]
    public async Task A_reordered_pair_is_a_reorder_at_the_first_of_the_pair()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 20);
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            var third = records.FindById(3);
            var fourth = records.FindById(4);
            records.Update(LiteDbSurgery.Copy(fourth, 3));
            records.Update(LiteDbSurgery.Copy(third, 4));
        });

        var result = await VerifyReadOnlyAsync();

        Assert.Equal(VerificationFailure.Reorder, result.Failure);
        Assert.Equal(3, result.FirstBrokenSequence);
    }

    [Fact]
    public async Task A_malformed_document_is_reported_as_malformed()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 20);
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            var document = records.FindById(11);
            document["classification"] = "top_secret";
            records.Update(document);
        });

        var result = await VerifyReadOnlyAsync();

        Assert.Equal(VerificationFailure.Malformed, result.Failure);
        Assert.Equal(11, result.FirstBrokenSequence);
        Assert.Contains("top_secret", result.Reason);
    }

    [Fact]
    public async Task A_timestamp_stored_as_a_litedb_date_is_malformed_not_silently_truncated()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 5);
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            var document = records.FindById(2);
            document["timestamp"] = new BsonValue(DateTime.UtcNow);
            records.Update(document);
        });

        var result = await VerifyReadOnlyAsync();

        Assert.Equal(VerificationFailure.Malformed, result.Failure);
        Assert.Equal(2, result.FirstBrokenSequence);
    }

    private async Task<VerificationResult> VerifyReadOnlyAsync()
    {
        await using var trail = _folder.Open(readOnly: true);
        return await trail.VerifyAsync();
    }
}
