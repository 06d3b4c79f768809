using AuditGen.Erasure;
using AuditGen.Retention;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Erasure;

public sealed class ErasureHoldTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<LiteDbAuditTrail> WriteAsync()
    {
        var trail = SealingFixture.Open(_folder);
        using (AuditContext.Begin(conversationId: "conv-9", userId: "dr.grey"))
            await SealingFixture.RecordNoteAsync(trail, "MRN-ALICE", "Alice's private note", "Alice's result");
        await SealingFixture.RecordNoteAsync(trail, "MRN-BOB", "Bob's note", "Bob's result");
        return trail;
    }

    [Fact]
    public async Task A_hold_on_a_conversation_with_the_subjects_records_refuses_the_erasure_naming_the_hold()
    {
        await using var trail = await WriteAsync();
        var hold = await LegalHolds.PlaceAsync(trail, LegalHoldScope.Conversation("conv-9"), "Matter 2025-114", "counsel.ana");

        var error = await Assert.ThrowsAsync<SubjectUnderLegalHoldException>(() => trail.EraseSubjectAsync("MRN-ALICE", "request", "dpo"));

        Assert.Equal([hold.Id.ToString()], error.HoldIds);
        Assert.Contains(hold.Id.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("Matter 2025-114", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 of its 2 record(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was destroyed", error.Message, StringComparison.Ordinal);
        var first = (await SealingFixture.RecordsAsync(trail))[0];
        Assert.Equal("\"Alice's private note\"", (await trail.ReadSealedAsync(first)).Values[0].Json);
        Assert.DoesNotContain(await SealingFixture.RecordsAsync(trail), r => r.Action == AuditAction.SubjectErased);
    }

    [Fact]
    public async Task A_hold_on_the_subjects_pseudonym_refuses_the_erasure()
    {
        await using var trail = await WriteAsync();
        var subjectAsRecorded = (await SealingFixture.RecordsAsync(trail))[0].SubjectId!;
        var hold = await LegalHolds.PlaceAsync(trail, LegalHoldScope.Subject(subjectAsRecorded), "Litigation", "counsel.ben");

        var error = await Assert.ThrowsAsync<SubjectUnderLegalHoldException>(() => trail.EraseSubjectAsync("MRN-ALICE", "request", "dpo"));

        Assert.Equal([hold.Id.ToString()], error.HoldIds);
    }

    [Fact]
    public async Task A_hold_that_covers_only_other_records_does_not_block_the_erasure()
    {
        await using var trail = await WriteAsync();
        await LegalHolds.PlaceAsync(trail, LegalHoldScope.User("someone-else"), "Unrelated matter", "counsel.ana");

        var result = await trail.EraseSubjectAsync("MRN-ALICE", "request", "dpo");

        Assert.Equal(SubjectErasureOutcome.Erased, result.Outcome);
    }

    [Fact]
    public async Task Once_the_hold_is_released_the_subject_can_be_erased()
    {
        await using var trail = await WriteAsync();
        var hold = await LegalHolds.PlaceAsync(trail, LegalHoldScope.Conversation("conv-9"), "Matter 2025-114", "counsel.ana");
        await Assert.ThrowsAsync<SubjectUnderLegalHoldException>(() => trail.EraseSubjectAsync("MRN-ALICE", "request", "dpo"));

        await LegalHolds.ReleaseAsync(trail, hold.Id, "Matter closed", "counsel.ana");
        var result = await trail.EraseSubjectAsync("MRN-ALICE", "request", "dpo");

        Assert.Equal(SubjectErasureOutcome.Erased, result.Outcome);
        Assert.True((await trail.ReadSealedAsync((await SealingFixture.RecordsAsync(trail))[0])).Values[0].IsErased);
    }
}
