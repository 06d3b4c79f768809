using System.Text.Json;
using AuditGen.Archive;
using AuditGen.Retention;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Retention;

public sealed class RetentionApplyTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string ArchivePath => Path.Combine(_folder.Root, "archive");

    private FolderArchiveTarget Target => new(ArchivePath);

    // Ten soc2 records a month apart, then a hipaa record (kept, and the chain's newest).
    private async Task WriteAsync(LiteDbAuditTrail trail)
    {
        for (var i = 0; i < 10; i++)
        {
            await trail.AppendAsync(new AuditEntry { Action = AuditAction.ToolCompleted, ConversationId = $"c-{i}", Domains = ComplianceDomain.Soc2 });
            _folder.Time.Advance(TimeSpan.FromDays(30));
        }
        await trail.AppendAsync(new AuditEntry { Action = AuditAction.ToolCompleted, ConversationId = "c-h", Domains = ComplianceDomain.Hipaa });
    }

    private static async Task<List<AuditRecord>> OfAction(IAuditTrail trail, AuditAction action) =>
        await TrailFixtures.QueryAllAsync(trail, new AuditQuery { Action = action });

    [Fact]
    public async Task Apply_records_the_policy_set_then_archives_the_plans_selection_with_its_why()
    {
        await using var trail = _folder.Open();
        await WriteAsync(trail);
        _folder.Time.Advance(TimeSpan.FromDays(130)); // now 430 days after the first record: the first 3 have expired

        var run = await trail.ApplyRetentionAsync(Target);

        Assert.Equal([0L, 1, 2], run.Plan.Sequences);
        Assert.Equal(3, run.RecordsArchived);
        var outcome = Assert.Single(run.Archives);
        Assert.False(outcome.Resumed);
        Assert.Equal(AuditAction.RetentionPolicyChanged, run.PolicyChange!.Action);
        Assert.True(run.PolicyChange.Sequence < outcome.ArchiveCreated.Sequence);
        using var details = JsonDocument.Parse(outcome.RetentionApplied.Details!);
        var why = details.RootElement.GetProperty("retention");
        Assert.False(why.GetProperty("completesInterruptedRun").GetBoolean());
        Assert.Equal(RetentionPolicySet.Defaults.Fingerprint, why.GetProperty("plan").GetProperty("policySetFingerprint").GetString());
        Assert.Equal(3, why.GetProperty("plan").GetProperty("policies").GetProperty("soc2").GetProperty("archived").GetInt64());
        Assert.Equal(8, (await TrailFixtures.QueryAllAsync(trail, new AuditQuery { ConversationId = null })).Count(r => r.Action == AuditAction.ToolCompleted));
        await RetentionHistory.AssertOneHistoryAsync(trail, ArchivePath);
    }

    [Fact]
    public async Task Applying_again_archives_nothing_twice_and_records_the_unchanged_policy_set_once()
    {
        await using var trail = _folder.Open();
        await WriteAsync(trail);
        _folder.Time.Advance(TimeSpan.FromDays(130));
        await trail.ApplyRetentionAsync(Target);
        var before = (await TrailFixtures.QueryAllAsync(trail)).Count;

        var again = await trail.ApplyRetentionAsync(Target);

        Assert.Empty(again.Archives);
        Assert.Null(again.PolicyChange);
        Assert.Equal(before, (await TrailFixtures.QueryAllAsync(trail)).Count);
        Assert.Single(Directory.GetFiles(ArchivePath, "*.jsonl.gz"));
    }

    [Fact]
    public async Task A_changed_configuration_is_recorded_before_the_next_archive()
    {
        await using var trail = _folder.Open();
        await WriteAsync(trail);
        _folder.Time.Advance(TimeSpan.FromDays(130));
        await trail.ApplyRetentionAsync(Target);
        var longer = new RetentionOptions { Policies = { new RetentionPolicy("soc2-2y", RetentionPeriod.FromYears(2)) } };
        longer.Domains[ComplianceDomain.Soc2] = "soc2-2y";

        var run = await trail.ApplyRetentionAsync(Target, RetentionPolicySet.Create(longer));

        Assert.NotNull(run.PolicyChange);
        Assert.Empty(run.Archives);
        Assert.Equal(2, (await OfAction(trail, AuditAction.RetentionPolicyChanged)).Count);
        Assert.Equal(RetentionPolicySet.Create(longer).ToCanonicalJson(), await RetentionPolicyRecords.ReadLastAsync(trail));
    }

    [Theory]
    [InlineData("manifest-written")] // segment and manifest published, nothing recorded in the log
    [InlineData("archive-created")]  // archive_created recorded, nothing pruned
    [InlineData("pruning")]          // part of the records pruned, under the redo intent
    public async Task A_run_interrupted_by_a_crash_is_completed_by_the_next_without_archiving_anything_twice(string crashAt)
    {
        await using (var trail = _folder.Open())
        {
            await WriteAsync(trail);
            _folder.Time.Advance(TimeSpan.FromDays(130));
            trail.ArchiveStepReached = step =>
            {
                if (step == crashAt)
                    throw new IOException($"simulated crash at {step}");
            };
            await Assert.ThrowsAsync<IOException>(() => trail.ApplyRetentionAsync(Target));
        }
        _folder.Time.Advance(TimeSpan.FromDays(60)); // two more records have expired meanwhile

        await using var reopened = _folder.Open();
        var run = await reopened.ApplyRetentionAsync(Target);

        Assert.Equal(2, run.Archives.Count);
        Assert.True(run.Archives[0].Resumed);
        Assert.Equal([0L, 2], [run.Archives[0].Manifest.FirstSequence, run.Archives[0].Manifest.LastSequence]);
        Assert.Equal([3L, 4], [run.Archives[1].Manifest.FirstSequence, run.Archives[1].Manifest.LastSequence]);
        Assert.Equal(2, Directory.GetFiles(ArchivePath, "*.jsonl.gz").Length);
        Assert.Equal(2, (await OfAction(reopened, AuditAction.ArchiveCreated)).Count);
        Assert.Equal(2, (await OfAction(reopened, AuditAction.RetentionApplied)).Count);
        var history = await RetentionHistory.AssertOneHistoryAsync(reopened, ArchivePath);
        Assert.Equal(Enumerable.Range(0, history.Count).Select(i => (long)i), history.Keys);
        Assert.True((await reopened.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task A_published_segment_whose_records_are_now_held_is_not_reused()
    {
        await using (var trail = _folder.Open())
        {
            await WriteAsync(trail);
            _folder.Time.Advance(TimeSpan.FromDays(130));
            trail.ArchiveStepReached = step =>
            {
                if (step == "manifest-written")
                    throw new IOException("simulated crash");
            };
            await Assert.ThrowsAsync<IOException>(() => trail.ApplyRetentionAsync(Target));
        }

        await using var reopened = _folder.Open();
        await LegalHolds.PlaceAsync(reopened, LegalHoldScope.Conversation("c-1"), "Matter 9", "counsel");
        var run = await reopened.ApplyRetentionAsync(Target);

        var outcome = Assert.Single(run.Archives);
        Assert.False(outcome.Resumed);
        Assert.Equal(2, outcome.Manifest.Count);
        Assert.Contains(1L, (await TrailFixtures.QueryAllAsync(reopened)).Select(r => r.Sequence));
    }

    [Fact]
    public async Task Apply_refuses_a_read_only_trail()
    {
        await using (var trail = _folder.Open())
            await WriteAsync(trail);
        await using var readOnly = _folder.Open(readOnly: true);

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => readOnly.ApplyRetentionAsync(Target));

        Assert.Contains("read-only", error.Message);
    }
}
