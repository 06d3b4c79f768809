using AuditGen.Retention;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Retention;

public sealed class LegalHoldTests
{
    [Fact]
    public async Task A_placed_hold_is_a_durable_record_and_is_read_back_as_active()
    {
        using var folder = new TrailFolder();
        LegalHold placed;
        await using (var trail = folder.Open())
            placed = await LegalHolds.PlaceAsync(trail, LegalHoldScope.Conversation("conv-7"), "Matter 2025-114", "counsel.ana");

        await using var reopened = folder.Open(readOnly: true);
        var active = Assert.Single(await LegalHolds.ReadActiveAsync(reopened));
        Assert.Equal(placed, active);
        Assert.Equal(LegalHoldScopeKind.Conversation, active.Scope.Kind);
        Assert.Equal("conv-7", active.Scope.Value);
        Assert.Equal("Matter 2025-114", active.Reason);
        Assert.Equal("counsel.ana", active.PlacedBy);
        Assert.Equal(folder.Time.GetUtcNow(), active.PlacedAt);
        var record = Assert.Single(await TrailFixtures.QueryAllAsync(reopened));
        Assert.Equal(AuditAction.LegalHoldPlaced, record.Action);
        Assert.Equal(record.Id, active.Id);
        Assert.Equal("counsel.ana", record.ActorId);
    }

    [Fact]
    public async Task A_released_hold_is_no_longer_active_and_keeps_its_release_on_record()
    {
        using var folder = new TrailFolder();
        await using var trail = folder.Open();
        var hold = await LegalHolds.PlaceAsync(trail, LegalHoldScope.User("u-1"), "Audit request", "counsel.ana");
        var other = await LegalHolds.PlaceAsync(trail, LegalHoldScope.Subject("p-9"), "Litigation", "counsel.ben");

        var released = await LegalHolds.ReleaseAsync(trail, hold.Id, "Matter closed", "counsel.ana");

        Assert.False(released.IsActive);
        Assert.Equal("Matter closed", released.Release!.Reason);
        Assert.Equal([other.Id], (await LegalHolds.ReadActiveAsync(trail)).Select(h => h.Id));
        var all = await LegalHolds.ReadAllAsync(trail);
        Assert.Equal(released, all[0]);
        var releaseRecord = (await TrailFixtures.QueryAllAsync(trail))[^1];
        Assert.Equal(AuditAction.LegalHoldReleased, releaseRecord.Action);
        Assert.Equal(released.Release.Sequence, releaseRecord.Sequence);
        Assert.True((await trail.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Releasing_an_unknown_hold_fails_naming_the_id_and_the_active_holds()
    {
        using var folder = new TrailFolder();
        await using var trail = folder.Open();
        var hold = await LegalHolds.PlaceAsync(trail, LegalHoldScope.User("u-1"), "Audit request", "counsel.ana");
        var unknown = Guid.Parse("0190a5d2-0000-7000-8000-000000000001");

        var error = await Assert.ThrowsAsync<LegalHoldException>(() => LegalHolds.ReleaseAsync(trail, unknown, "closed", "counsel.ana"));

        Assert.Contains("0190a5d2-0000-7000-8000-000000000001", error.Message);
        Assert.Contains(hold.Id.ToString("D"), error.Message);
        Assert.Single(await TrailFixtures.QueryAllAsync(trail));
    }

    [Fact]
    public async Task Releasing_a_hold_twice_fails_saying_who_released_it_and_appends_nothing()
    {
        using var folder = new TrailFolder();
        await using var trail = folder.Open();
        var hold = await LegalHolds.PlaceAsync(trail, LegalHoldScope.User("u-1"), "Audit request", "counsel.ana");
        await LegalHolds.ReleaseAsync(trail, hold.Id, "Matter closed", "counsel.ben");

        var error = await Assert.ThrowsAsync<LegalHoldException>(() => LegalHolds.ReleaseAsync(trail, hold.Id, "again", "counsel.ana"));

        Assert.Contains("already released by counsel.ben", error.Message);
        Assert.Equal(2, (await TrailFixtures.QueryAllAsync(trail)).Count);
    }

    [Theory]
    [InlineData("", "counsel.ana", "reason")]
    [InlineData("   ", "counsel.ana", "reason")]
    [InlineData("Matter 1", "", "placedBy")]
    public async Task A_hold_without_a_reason_or_a_placer_is_refused_before_anything_is_written(string reason, string placedBy, string parameter)
    {
        var trail = new RecordingAuditTrail();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => LegalHolds.PlaceAsync(trail, LegalHoldScope.User("u-1"), reason, placedBy));

        Assert.Equal(parameter, error.ParamName);
        Assert.Empty(trail.Appended);
    }

    [Fact]
    public async Task Holds_work_over_any_trail_implementation()
    {
        var trail = new RecordingAuditTrail();
        var hold = await LegalHolds.PlaceAsync(trail, LegalHoldScope.TimeRange(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), null), "Regulator inquiry", "cco");

        Assert.Equal(hold.Id, Assert.Single(await LegalHolds.ReadActiveAsync(trail)).Id);
        await LegalHolds.ReleaseAsync(trail, hold.Id, "Inquiry closed", "cco");
        Assert.Empty(await LegalHolds.ReadActiveAsync(trail));
    }

    [Fact]
    public void A_backwards_or_empty_time_range_is_refused_with_both_ends_named()
    {
        var from = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

        var error = Assert.Throws<ArgumentException>(() => LegalHoldScope.TimeRange(from, from.AddDays(-1)));

        Assert.Contains("backwards", error.Message);
        Assert.Contains("2025-06-01T00:00:00Z", error.Message);
        Assert.Contains("2025-05-31T00:00:00Z", error.Message);
        Assert.Throws<ArgumentException>(() => LegalHoldScope.TimeRange(from, from));
        Assert.Throws<ArgumentException>(() => LegalHoldScope.TimeRange(null, null));
    }

    [Fact]
    public void Each_scope_covers_exactly_its_records()
    {
        var at = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var record = Entries.FullRecord() with { ConversationId = "c-1", UserId = "u-1", SubjectId = "s-1", Timestamp = at };

        Assert.True(LegalHoldScope.Conversation("c-1").Covers(record));
        Assert.False(LegalHoldScope.Conversation("c-2").Covers(record));
        Assert.False(LegalHoldScope.Conversation("C-1").Covers(record));
        Assert.True(LegalHoldScope.Subject("s-1").Covers(record));
        Assert.False(LegalHoldScope.Subject("u-1").Covers(record));
        Assert.True(LegalHoldScope.User("u-1").Covers(record));
        Assert.True(LegalHoldScope.TimeRange(at, at.AddTicks(10)).Covers(record));
        Assert.False(LegalHoldScope.TimeRange(at.AddTicks(-10), at).Covers(record)); // the end is exclusive
        Assert.True(LegalHoldScope.TimeRange(null, at.AddTicks(10)).Covers(record));
        Assert.True(LegalHoldScope.TimeRange(at, null).Covers(record));
    }
}
