using AuditGen.Archive;
using AuditGen.Retention;

namespace AuditGen.TrailConformance;

// Applying retention: archive segments, stubs, and verification of the live log with its archives, the same on every store.
public abstract partial class TrailConformanceTests
{
    /// <summary>The store's <c>ApplyRetentionAsync</c> on <paramref name="trail"/> (opened by <see cref="OpenTrailAsync"/>).</summary>
    protected abstract Task<RetentionRun> ApplyRetentionAsync(IAuditTrail trail, IArchiveTarget target);

    /// <summary>The store's <c>VerifyWithArchivesAsync</c> on <paramref name="trail"/>.</summary>
    protected abstract ValueTask<VerificationResult> VerifyWithArchivesAsync(IAuditTrail trail, IArchiveTarget archives);

    /// <summary>Sets the store's archive step hook (called at each step boundary of an archive run; null clears it).</summary>
    protected abstract void SetArchiveStepHook(IAuditTrail trail, Action<string>? hook);

    /// <summary>A temp folder target, deleted when disposed.</summary>
    private sealed class ArchiveFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "auditgen-conformance-archive-" + Guid.NewGuid().ToString("N"));

        public FolderArchiveTarget Target => new(Path);

        public void Dispose()
        {
            if (Directory.Exists(Path))
                Directory.Delete(Path, recursive: true);
        }
    }

    // 0 soc2 (expires), 1 hipaa (kept 6 years), 2 soc2 held, 3 soc2 (expires), 4 the hold; then two years pass.
    private async Task<IAuditTrail> AppendRetentionCorpusAsync()
    {
        var trail = await OpenAsync();
        await trail.AppendAsync(ConformanceEntries.ToolCall(0, conversation: "conv-free") with { Domains = ComplianceDomain.Soc2 });
        await trail.AppendAsync(ConformanceEntries.ToolCall(1, conversation: "conv-free") with { Domains = ComplianceDomain.Hipaa });
        await trail.AppendAsync(ConformanceEntries.ToolCall(2, conversation: "conv-held") with { Domains = ComplianceDomain.Soc2 });
        await trail.AppendAsync(ConformanceEntries.ToolCall(3, conversation: "conv-free") with { Domains = ComplianceDomain.Soc2 });
        await LegalHolds.PlaceAsync(trail, LegalHoldScope.Conversation("conv-held"), "Matter 9", "counsel");
        Time.Advance(TimeSpan.FromDays(2 * 365));
        return trail;
    }

    [StoreFact]
    public async Task Applying_retention_archives_exactly_the_expired_unheld_records_and_no_query_returns_them()
    {
        using var archive = new ArchiveFolder();
        var trail = await AppendRetentionCorpusAsync();

        var run = await ApplyRetentionAsync(trail, archive.Target);

        var outcome = Assert.Single(run.Archives);
        Assert.Equal([0L, 3L], run.Plan.Sequences);
        Assert.Equal((2L, 0L, 3L), (outcome.Manifest.Count, outcome.Manifest.FirstSequence, outcome.Manifest.LastSequence));
        var left = await QueryAsync(trail);
        Assert.DoesNotContain(left, r => r.Sequence is 0 or 3);
        Assert.Equal([1L, 2L], left.Where(r => r.Action is AuditAction.ToolInvoked or AuditAction.ToolCompleted).Select(r => r.Sequence));
        Assert.Empty(await QueryAsync(trail, new AuditQuery { ConversationId = "conv-free", ToolName = "lookup_patient" }));
    }

    [StoreFact]
    public async Task After_retention_the_live_log_and_its_archives_verify_as_one_history()
    {
        using var archive = new ArchiveFolder();
        var trail = await AppendRetentionCorpusAsync();
        await ApplyRetentionAsync(trail, archive.Target);
        await trail.AppendAsync(ConformanceEntries.ToolCall(9));

        var live = await trail.VerifyAsync();
        var whole = await VerifyWithArchivesAsync(trail, archive.Target);

        Assert.True(live.IsValid, live.Reason);
        Assert.True(whole.IsValid, whole.Reason);
        Assert.Equal(2, whole.ArchivedRecordsChecked);
        Assert.Equal(live.RecordsChecked, whole.RecordsChecked);
    }

    [StoreFact]
    public async Task Applying_retention_again_archives_nothing_twice()
    {
        using var archive = new ArchiveFolder();
        var trail = await AppendRetentionCorpusAsync();
        await ApplyRetentionAsync(trail, archive.Target);
        var before = await QueryAsync(trail);

        var again = await ApplyRetentionAsync(trail, archive.Target);

        Assert.Empty(again.Archives);
        Assert.Null(again.PolicyChange);
        Assert.Equal(before, await QueryAsync(trail));
        Assert.Single(Directory.GetFiles(archive.Path, "*" + FolderArchiveTarget.SegmentSuffix));
    }

    [StoreFact]
    public async Task A_run_interrupted_after_its_archive_was_recorded_is_completed_by_the_next()
    {
        using var archive = new ArchiveFolder();
        var trail = await AppendRetentionCorpusAsync();
        SetArchiveStepHook(trail, step =>
        {
            if (step == "archive-created")
                throw new IOException("simulated crash after archive_created");
        });
        await Assert.ThrowsAsync<IOException>(() => ApplyRetentionAsync(trail, archive.Target));
        SetArchiveStepHook(trail, null);
        Assert.Contains(await QueryAsync(trail), r => r.Sequence == 0);

        var run = await ApplyRetentionAsync(trail, archive.Target);

        var outcome = Assert.Single(run.Archives);
        Assert.True(outcome.Resumed);
        Assert.Single(await QueryAsync(trail, new AuditQuery { Action = AuditAction.ArchiveCreated }));
        Assert.DoesNotContain(await QueryAsync(trail), r => r.Sequence is 0 or 3);
        var whole = await VerifyWithArchivesAsync(trail, archive.Target);
        Assert.True(whole.IsValid, whole.Reason);
    }

    [StoreFact]
    public async Task A_missing_segment_is_named_by_verification_with_archives()
    {
        using var archive = new ArchiveFolder();
        var trail = await AppendRetentionCorpusAsync();
        var segment = Assert.Single((await ApplyRetentionAsync(trail, archive.Target)).Archives).Manifest.SegmentId;
        File.Delete(archive.Target.SegmentPath(segment));

        var result = await VerifyWithArchivesAsync(trail, archive.Target);

        Assert.Equal(VerificationFailure.ArchiveMissing, result.Failure);
        Assert.Equal(segment, result.ArchiveSegment);
        Assert.Equal(0, result.FirstBrokenSequence);
    }

    [StoreFact]
    public async Task A_corrupted_segment_is_named_by_verification_with_archives()
    {
        using var archive = new ArchiveFolder();
        var trail = await AppendRetentionCorpusAsync();
        var segment = Assert.Single((await ApplyRetentionAsync(trail, archive.Target)).Archives).Manifest.SegmentId;
        var path = archive.Target.SegmentPath(segment);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var result = await VerifyWithArchivesAsync(trail, archive.Target);

        Assert.Equal(VerificationFailure.ArchiveCorrupt, result.Failure);
        Assert.Equal(segment, result.ArchiveSegment);
        Assert.Contains("SHA-256", result.Reason);
    }
}
