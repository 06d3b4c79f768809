using AuditGen.Erasure;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Erasure;

/// <summary>A writer killed (SIGKILL) in the middle of an erasure leaves the subject erased or not, never half readable; rerunning completes it.</summary>
public sealed class ErasureCrashTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("before-destroy", false, SubjectErasureOutcome.Erased)]
    [InlineData("key-destroyed", true, SubjectErasureOutcome.Completed)]
    [InlineData("payloads-deleted", true, SubjectErasureOutcome.Completed)]
    public async Task A_kill_during_erasure_leaves_erased_or_not_and_the_rerun_completes_it(string step, bool erasedAfterCrash, SubjectErasureOutcome rerun)
    {
        using (var writer = CrashWriterProcess.Start(_folder.DbPath, "erase", step))
        {
            var output = await writer.StandardOutput.ReadToEndAsync();
            await writer.WaitForExitAsync();
            Assert.Contains("WRITTEN", output, StringComparison.Ordinal);
            Assert.Contains("KILLED " + step, output, StringComparison.Ordinal);
            Assert.NotEqual(0, writer.ExitCode);
        }

        await using (var trail = SealingFixture.Open(_folder))
            await CheckAndRerunAsync(trail, erasedAfterCrash, rerun);

        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, "Alice Example"));
    }

    private static async Task CheckAndRerunAsync(LiteDbAuditTrail trail, bool erasedAfterCrash, SubjectErasureOutcome rerun)
    {
        Assert.True((await trail.VerifyAsync()).IsValid);
        var records = await SealingFixture.RecordsAsync(trail);
        Assert.Equal(4, records.Count); // no subject_erased record yet
        foreach (var alice in new[] { records[0], records[1] })
        {
            var read = await trail.ReadSealedAsync(alice);
            Assert.All(read.Values, v => Assert.Equal(erasedAfterCrash, v.IsErased));
            Assert.All(read.Values, v => Assert.Equal(erasedAfterCrash, v.Json is null));
            if (erasedAfterCrash)
                Assert.All(read.Values, v => Assert.Null(v.Erasure!.RecordSequence));
        }
        Assert.Equal("\"Bob Sample: crash-test note\"", (await trail.ReadSealedAsync(records[2])).Values[0].Json);

        var result = await trail.EraseSubjectAsync("MRN-ALICE", "crash test", "dpo");

        Assert.Equal(rerun, result.Outcome);
        Assert.Equal(4, result.Record!.Sequence);
        Assert.Equal(4, (await trail.ReadSealedAsync(records[0])).Values[0].Erasure!.RecordSequence);
        Assert.Equal(SubjectErasureOutcome.AlreadyErased, (await trail.EraseSubjectAsync("MRN-ALICE", "crash test", "dpo")).Outcome);
        Assert.True((await trail.VerifyAsync()).IsValid);
    }
}
