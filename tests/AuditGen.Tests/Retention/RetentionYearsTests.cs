using AuditGen.Archive;
using AuditGen.Retention;
using AuditGen.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AuditGen.Tests.Retention;

/// <summary>
/// Walks one trail through eight simulated years (2018–2025, seven records a month in several regimes), with legal holds
/// placed and released along the way, applying retention at several instants. After every run, exactly the expired
/// records not under an active hold are gone from the live trail (the longest domain wins, lifecycle records stay),
/// and the archives plus the live trail verify as one history.
/// </summary>
public sealed class RetentionYearsTests : IDisposable
{
    private static readonly DateTimeOffset Begin = new(2018, 1, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LeapDay = new(2020, 2, 29, 10, 0, 0, TimeSpan.Zero);

    private readonly TrailFolder _folder = new();
    private readonly FakeTimeProvider _time = new(Begin);
    private readonly List<Written> _data = [];
    private readonly List<Hold> _holds = [];

    public void Dispose() => _folder.Dispose();

    private sealed record Written(long Sequence, DateTimeOffset Timestamp, ComplianceDomain Domains, string Conversation, string User);

    private sealed record Hold(LegalHold Placed, Func<Written, bool> Covers)
    {
        public DateTimeOffset? ReleasedAt { get; set; }
    }

    // The seven kinds of record written every month: one per regime, none, and two mixes.
    private static readonly (ComplianceDomain Domains, string Kind, int Years)[] Kinds =
    [
        (ComplianceDomain.Hipaa, "hipaa", 6),
        (ComplianceDomain.Soc2, "soc2", 1),
        (ComplianceDomain.Financial, "financial", 7),
        (ComplianceDomain.Pci, "pci", 1),
        (ComplianceDomain.None, "none", 1),
        (ComplianceDomain.Soc2 | ComplianceDomain.Hipaa | ComplianceDomain.Pci, "mixed-long", 6),
        (ComplianceDomain.Soc2 | ComplianceDomain.Pci, "mixed-short", 1),
    ];

    private static int YearsOf(ComplianceDomain domains) => domains == ComplianceDomain.None
        ? 1
        : Kinds.Where(k => k.Domains != ComplianceDomain.None && (domains & k.Domains) == k.Domains && k.Domains.ToWireNames().Count == 1).Max(k => k.Years);

    private async Task AppendMonthAsync(IAuditTrail trail, DateTimeOffset month)
    {
        for (var i = 0; i < Kinds.Length; i++)
        {
            var (domains, kind, _) = Kinds[i];
            _time.SetUtcNow(month.AddSeconds(i));
            var conversation = $"{kind}-{month.Year}";
            var user = kind == "mixed-short" && month.Year == 2018 ? "u-audit" : "u-" + kind;
            var record = await trail.AppendAsync(new AuditEntry
            {
                Action = AuditAction.ToolCompleted, ActorId = "agent", ConversationId = conversation, UserId = user,
                ToolName = "lookup", Domains = domains, Outcome = AuditOutcome.Success,
            });
            _data.Add(new Written(record.Sequence, record.Timestamp, domains, conversation, user));
        }
    }

    private async Task<LegalHold> PlaceAsync(IAuditTrail trail, LegalHoldScope scope, Func<Written, bool> covers)
    {
        var hold = await LegalHolds.PlaceAsync(trail, scope, "Matter " + (_holds.Count + 1), "counsel");
        _holds.Add(new Hold(hold, covers));
        return hold;
    }

    private async Task ReleaseAsync(IAuditTrail trail, LegalHold hold)
    {
        await LegalHolds.ReleaseAsync(trail, hold.Id, "Matter closed", "counsel");
        _holds.Single(h => h.Placed.Id == hold.Id).ReleasedAt = _time.GetUtcNow();
    }

    // The oracle: a data record is gone after a run at `at` when its longest domain's period has ended and no hold active
    // at `at` covers it, or an earlier run took it. (The newest record is never a data record here: holds and policy
    // records follow.)
    private HashSet<long> ExpectedGone(DateTimeOffset at, HashSet<long> goneBefore) =>
        _data.Where(r => goneBefore.Contains(r.Sequence)
                || (Expiry(r) <= at
                    && !_holds.Any(h => h.Placed.PlacedAt <= at && (h.ReleasedAt is null || h.ReleasedAt > at) && h.Covers(r))))
            .Select(r => r.Sequence).ToHashSet();

    // Calendar years; a 29 February record is kept until 1 March, never a day short.
    private static DateTimeOffset Expiry(Written r)
    {
        var expiry = r.Timestamp.AddYears(YearsOf(r.Domains));
        return expiry.Day == r.Timestamp.Day ? expiry : new DateTimeOffset(expiry.Date.AddDays(1) + r.Timestamp.TimeOfDay, TimeSpan.Zero);
    }

    private async Task<HashSet<long>> LiveSequencesAsync(IAuditTrail trail) =>
        (await TrailFixtures.QueryAllAsync(trail)).Select(r => r.Sequence).ToHashSet();

    private async Task<(HashSet<long> Gone, RetentionRun Run)> ApplyAndCheckAsync(LiteDbAuditTrail trail, HashSet<long> goneBefore)
    {
        var at = _time.GetUtcNow();
        var run = await trail.ApplyRetentionAsync(new FolderArchiveTarget(ArchivePath));
        var live = await LiveSequencesAsync(trail);
        var gone = _data.Select(r => r.Sequence).Where(s => !live.Contains(s)).ToHashSet();
        var expected = ExpectedGone(at, goneBefore);
        Assert.True(expected.SetEquals(gone), $"at {at:O}: expected but live: {string.Join("; ", _data.Where(r => expected.Contains(r.Sequence) && !gone.Contains(r.Sequence)))}; gone but not expected: {string.Join("; ", _data.Where(r => !expected.Contains(r.Sequence) && gone.Contains(r.Sequence)))}");
        Assert.True((await trail.VerifyAsync()).IsValid);
        await RetentionHistory.AssertOneHistoryAsync(trail, ArchivePath);
        return (gone, run);
    }

    private string ArchivePath => Path.Combine(_folder.Root, "archive");

    [Fact]
    public async Task Eight_years_of_records_are_archived_exactly_when_their_longest_regime_and_the_holds_allow()
    {
        await using var trail = AuditTrail.OpenLiteDb(_folder.DbPath, new AuditTrailOptions { TimeProvider = _time });
        var gone = new HashSet<long>();
        var runs = new List<(DateTimeOffset At, RetentionRun Run)>();
        LegalHold? soc2Of2019 = null, auditUser = null;

        // Retention runs: the evening before the leap-day record's first anniversary, on it, mid-2023, then after the years.
        var pending = new Queue<DateTimeOffset>([
            new DateTimeOffset(2021, 2, 28, 23, 0, 0, TimeSpan.Zero), new DateTimeOffset(2021, 3, 1, 10, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2023, 6, 15, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2033, 1, 1, 0, 0, 0, TimeSpan.Zero)]);
        async Task RunDueAsync(DateTimeOffset before)
        {
            while (pending.Count > 0 && pending.Peek() < before)
            {
                var at = pending.Dequeue();
                _time.SetUtcNow(at);
                var (now, run) = await ApplyAndCheckAsync(trail, gone);
                gone = now;
                runs.Add((at, run));
            }
        }

        for (var month = Begin; month.Year <= 2025; month = month.AddMonths(1))
        {
            await RunDueAsync(month);
            await AppendMonthAsync(trail, month);
            if (month == new DateTimeOffset(2018, 12, 1, 9, 0, 0, TimeSpan.Zero))
                auditUser = await PlaceAsync(trail, LegalHoldScope.User("u-audit"), r => r.User == "u-audit");
            if (month == new DateTimeOffset(2019, 6, 1, 9, 0, 0, TimeSpan.Zero))
                soc2Of2019 = await PlaceAsync(trail, LegalHoldScope.Conversation("soc2-2019"), r => r.Conversation == "soc2-2019");
            if (month == new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.Zero))
            {
                _time.SetUtcNow(LeapDay);
                var leap = await trail.AppendAsync(new AuditEntry { Action = AuditAction.DataAccessed, Domains = ComplianceDomain.Soc2, ConversationId = "leap", UserId = "u-leap" });
                _data.Add(new Written(leap.Sequence, leap.Timestamp, ComplianceDomain.Soc2, "leap", "u-leap"));
            }
            if (month == new DateTimeOffset(2021, 8, 1, 9, 0, 0, TimeSpan.Zero))
            {
                var from = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero);
                var to = new DateTimeOffset(2021, 7, 1, 0, 0, 0, TimeSpan.Zero);
                await PlaceAsync(trail, LegalHoldScope.TimeRange(from, to), r => r.Timestamp >= from && r.Timestamp < to);
            }
            if (month == new DateTimeOffset(2022, 1, 1, 9, 0, 0, TimeSpan.Zero))
                await ReleaseAsync(trail, soc2Of2019!);
            if (month == new DateTimeOffset(2024, 1, 1, 9, 0, 0, TimeSpan.Zero))
                await ReleaseAsync(trail, auditUser!);
        }
        await RunDueAsync(DateTimeOffset.MaxValue);

        Assert.Equal(5, runs.Count);
        var leapSequence = _data.Single(r => r.Conversation == "leap").Sequence;
        // 2021-02-28: a 29 February 2020 record is kept until 1 March 2021, never a day short.
        Assert.DoesNotContain(leapSequence, runs[0].Run.Plan.Sequences);
        Assert.Contains(leapSequence, runs[1].Run.Plan.Sequences);
        // Known counts per run, worked out by hand (and equal to the oracle's, checked above). 2021-02-28: the 1-year kinds
        // (soc2, pci, none, mixed-short) of 2018-01..2020-02 = 26 x 4 = 104, less 12 soc2-2019 and 12 u-audit held.
        // 2021-03-01: March 2020's four and the leap-day record. 2023-06-15: 1-year kinds of 2020-04..2022-06 = 108 plus
        // the 12 soc2-2019 released, less the 24 of 2021-01..06 under the time-range hold. 2026-01-01: 1-year kinds of
        // 2022-07..2024-12 = 120, the 12 u-audit released, 6-year kinds (hipaa, mixed-long) of 2018-2019 = 48, financial
        // of 2018 = 12. 2033: the other 300, less the time-range hold's 6 months x 7 kinds = 42.
        Assert.Equal([80L, 5L, 96L, 192L, 258L], runs.Select(r => r.Run.RecordsArchived));
        Assert.Equal([24L, 24L, 36L, 24L, 42L], runs.Select(r => r.Run.Plan.Held));
        Assert.Equal(673, _data.Count);
        // Lifecycle records (holds, policy, archive records) are all still live.
        var live = await TrailFixtures.QueryAllAsync(trail);
        var lifecycle = live.Where(r => RetentionPlanner.IsLifecycle(r.Action)).ToList();
        Assert.Equal(3 + 2 + 1 + 2 * runs.Count, lifecycle.Count);
        Assert.Single(lifecycle, r => r.Action == AuditAction.RetentionPolicyChanged);
        // Everything expired by 2033 except what the never-released time-range hold keeps.
        Assert.All(_data.Where(r => !gone.Contains(r.Sequence)), r => Assert.InRange(r.Timestamp, new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2021, 7, 1, 0, 0, 0, TimeSpan.Zero)));
    }
}
