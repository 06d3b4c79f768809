using AuditGen.Archive;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Archive;

/// <summary>A child process archiving a selection is SIGKILLed at each step boundary; a rerun of the same selection completes it.</summary>
public sealed class ArchiveCrashTests : IDisposable
{
    private static readonly long[] Selection = [.. Enumerable.Range(0, 150).Where(i => i % 3 != 1).Select(i => (long)i)];

    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("segment-written")]
    [InlineData("manifest-written")]
    [InlineData("archive-created")]
    [InlineData("intent-written")]
    [InlineData("pruning")]
    [InlineData("pruned")]
    public async Task A_sigkill_between_archive_write_and_delete_loses_nothing_and_a_rerun_completes_it(string step)
    {
        List<AuditRecord> records;
        await using (var trail = _folder.Open())
            records = await ArchiveFixtures.AppendAsync(trail, 200);

        using (var child = CrashWriterProcess.Start(_folder.DbPath, "archive", ArchiveFixtures.ArchivePath(_folder), step, string.Join(',', Selection)))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var seen = new List<string>();
            while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line && line != "AT " + step)
            {
                seen.Add(line);
                Assert.True(line != "DONE", $"The child finished without reaching {step}: {string.Join(" | ", seen)}");
            }
            if (child.HasExited)
                Assert.Fail($"The child exited before {step}: {string.Join(" | ", seen)} {await child.StandardError.ReadToEndAsync(timeout.Token)}");
            child.Kill(entireProcessTree: true); // SIGKILL: no dispose, no flush
            await child.WaitForExitAsync(timeout.Token);
        }

        await using var reopened = _folder.Open();
        var rerun = await reopened.ArchiveAsync(new ArchiveSelection(Selection, ArchiveFixtures.RetentionDetails), ArchiveFixtures.Target(_folder));

        Assert.True(rerun.Resumed);
        Assert.Single(Directory.GetFiles(ArchiveFixtures.ArchivePath(_folder), "*.jsonl.gz"));
        Assert.Empty(Directory.GetFiles(ArchiveFixtures.ArchivePath(_folder), "*.tmp"));
        Assert.False(File.Exists(_folder.DbPath + ".prune"));
        var all = await TrailFixtures.QueryAllAsync(reopened);
        Assert.Single(all, r => r.Action == AuditAction.ArchiveCreated);
        Assert.Single(all, r => r.Action == AuditAction.RetentionApplied);
        var live = all.ToDictionary(r => r.Sequence);
        var archived = ArchiveFixtures.ReadSegmentLines(ArchiveFixtures.Target(_folder).SegmentPath(rerun.Manifest.SegmentId))
            .Select(l => AuditGen.Canonical.AuditRecordCodec.Deserialize(System.Text.Encoding.UTF8.GetBytes(l))).ToDictionary(r => r.Sequence);
        foreach (var record in records)
        {
            // Nothing lost: each record is either live or archived, exactly once, unchanged.
            var isSelected = Array.BinarySearch(Selection, record.Sequence) >= 0;
            Assert.Equal(record, isSelected ? archived[record.Sequence] : live[record.Sequence]);
            Assert.Equal(!isSelected, live.ContainsKey(record.Sequence));
        }
        var alone = await reopened.VerifyAsync();
        Assert.True(alone.IsValid, alone.Reason);
        var whole = await reopened.VerifyWithArchivesAsync(ArchiveFixtures.Target(_folder));
        Assert.True(whole.IsValid, whole.Reason);
        Assert.Equal(Selection.Length, whole.ArchivedRecordsChecked);
    }
}
