using AuditGen.Storage.Journal;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

public sealed class DurabilityBarrierTests : IDisposable
{
    private readonly TrailFolder _folder = new();
    private GatedJournalFile? _journal;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Appends_are_not_acknowledged_before_the_fsync_that_covers_them_returns()
    {
        await using var trail = OpenGated();
        var fsyncsAtOpen = _journal!.Fsyncs;
        _journal.Gated = true;

        var first = trail.AppendAsync(Entries.ToolCall(0)).AsTask();
        await _journal.WaitUntilFsyncEnteredAsync();
        var second = trail.AppendAsync(Entries.ToolCall(1)).AsTask();
        var third = trail.AppendAsync(Entries.ToolCall(2)).AsTask();
        Assert.False(first.IsCompleted, "acknowledged while its fsync was still running");

        _journal.Release();
        Assert.Equal(0, (await first).Sequence);

        // The two queued appends form the next group commit: still not acknowledged until its fsync returns.
        await _journal.WaitUntilFsyncEnteredAsync();
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);
        _journal.Release();

        Assert.Equal(1, (await second).Sequence);
        Assert.Equal(2, (await third).Sequence);
        Assert.Equal(fsyncsAtOpen + 2, _journal.Fsyncs);
        _journal.Gated = false;
    }

    [Fact]
    public async Task A_group_commit_costs_one_fsync_however_many_records_it_holds()
    {
        await using var trail = OpenGated();
        var fsyncsAtOpen = _journal!.Fsyncs;
        _journal.Gated = true;
        var blocker = trail.AppendAsync(Entries.ToolCall(0)).AsTask();
        await _journal.WaitUntilFsyncEnteredAsync();
        var queued = Enumerable.Range(1, 100).Select(i => trail.AppendAsync(Entries.ToolCall(i)).AsTask()).ToArray();
        _journal.Gated = false;
        _journal.Release();

        await blocker;
        var records = await Task.WhenAll(queued);

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), records.Select(r => r.Sequence));
        Assert.Equal(fsyncsAtOpen + 2, _journal.Fsyncs);
    }

    [Fact]
    public async Task A_failing_fsync_faults_the_pending_and_every_later_append_with_the_cause()
    {
        var trail = OpenGated();
        var cause = new IOException("No space left on device");
        _journal!.FailWith = cause;

        var failed = await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.AppendAsync(Entries.ToolCall(0)));
        var later = await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.AppendAsync(Entries.ToolCall(1)));

        Assert.Same(cause, failed.InnerException);
        Assert.Contains("faulted", failed.Message);
        Assert.Same(cause, later.InnerException);
        await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.FlushAsync());
        var onDispose = await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.DisposeAsync());
        Assert.Same(cause, onDispose.InnerException);
    }

    [Fact]
    public async Task Nothing_acknowledged_before_a_failing_fsync_is_lost()
    {
        var trail = OpenGated();
        var acknowledged = await trail.AppendAsync(Entries.ToolCall(0));
        _journal!.FailWith = new IOException("I/O error");
        await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.AppendAsync(Entries.ToolCall(1)));
        await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.DisposeAsync());

        await using var reopened = _folder.Open();
        var records = await TrailFixtures.QueryAllAsync(reopened);

        // The record whose fsync failed may or may not have reached the disk (exactly as after a crash); the
        // acknowledged one must be there, and the chain must be whole either way.
        Assert.Equal(acknowledged, records[0]);
        Assert.True((await reopened.VerifyAsync()).IsValid);
    }

    private LiteDbAuditTrail OpenGated() =>
        AuditTrail.OpenLiteDb(_folder.DbPath, _folder.Options(), (path, readOnly) => _journal = new GatedJournalFile(FileJournalFile.Open(path, readOnly)));
}
