using AuditGen.Storage;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

/// <summary>
/// The writer's linger (<see cref="AuditTrailOptions.GroupCommitLinger"/>): callers that append one record after another
/// are gathered into one group commit instead of taking turns in two, and nobody else is delayed by it.
/// </summary>
public sealed class GroupCommitLingerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Back_to_back_callers_are_gathered_into_one_group_commit_each_round()
    {
        const int callers = 8, rounds = 20;
        // A linger longer than the test's patience (the writer does not cap it; opening a trail does): every linger
        // must end because the callers came back.
        var (writer, sink) = Open(Patience * 2);
        // The first commit carries one caller and lasts until the seven others queue behind it: the split into two
        // cohorts that, without the linger, would take turns from then on (1 + 7, 1 + 7, ...).
        sink.HoldFirstCommitUntilQueued = (writer, callers - 1);

        // (The first caller appends once more than the others: its first record is the held commit's.)
        var firstCaller = RunCallersAsync(writer, 0, 1, rounds + 1);
        await sink.FirstCommitStarted.Task.WaitAsync(Patience);
        await Task.WhenAll(firstCaller, RunCallersAsync(writer, 1, callers - 1, rounds)).WaitAsync(Patience);
        await CloseAsync(writer);

        Assert.Equal(1, sink.BatchSizes[0]);
        Assert.Equal(Enumerable.Repeat(callers, rounds), sink.BatchSizes.Skip(1));
        Assert.True(writer.Lingers > 0);
        Assert.Equal(0, writer.LingerTimeouts);
    }

    [Fact]
    public async Task A_released_caller_that_does_not_come_back_costs_one_linger_not_one_per_commit()
    {
        var (writer, sink) = Open(TimeSpan.FromMilliseconds(20));
        sink.HoldFirstCommitUntilQueued = (writer, 1);

        // A's first append is held until B's queues behind it; then B stops, A goes on alone.
        var a = Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
                await writer.AppendAsync(Entry(i), null, CancellationToken.None);
        });
        await sink.FirstCommitStarted.Task.WaitAsync(Patience);
        await writer.AppendAsync(Entry(100), null, CancellationToken.None).AsTask().WaitAsync(Patience);
        await a.WaitAsync(Patience);
        await CloseAsync(writer);

        Assert.Equal(31, sink.BatchSizes.Sum());
        Assert.Equal(1, writer.LingerTimeouts);
    }

    [Fact]
    public async Task A_lone_caller_is_never_kept_waiting()
    {
        var (writer, sink) = Open(Patience * 2);

        for (var i = 0; i < 50; i++)
            await writer.AppendAsync(Entry(i), null, CancellationToken.None).AsTask().WaitAsync(Patience);
        await CloseAsync(writer);

        Assert.Equal(Enumerable.Repeat(1, 50), sink.BatchSizes);
        Assert.Equal(0, writer.Lingers);
    }

    [Fact]
    public async Task With_the_linger_off_nothing_waits_for_released_callers()
    {
        var (writer, sink) = Open(TimeSpan.Zero);
        sink.HoldFirstCommit = true;

        // Two callers; the second queues while the first one's commit is in progress.
        var first = writer.AppendAsync(Entry(0), null, CancellationToken.None).AsTask();
        await sink.FirstCommitStarted.Task.WaitAsync(Patience);
        var second = writer.AppendAsync(Entry(1), null, CancellationToken.None).AsTask();
        sink.ReleaseFirstCommit.SetResult();
        await first.WaitAsync(Patience);
        await second.WaitAsync(Patience);
        await CloseAsync(writer);

        Assert.Equal([1, 1], sink.BatchSizes);
        Assert.Equal(0, writer.Lingers);
    }

    [Fact]
    public async Task A_linger_longer_than_the_limit_is_refused_when_a_trail_opens()
    {
        using var folder = new TrailFolder();
        var options = new AuditTrailOptions { GroupCommitLinger = TimeSpan.FromSeconds(1) };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => AuditTrail.OpenLiteDb(folder.DbPath, options));

        Assert.Contains("GroupCommitLinger", error.Message);
        Assert.Contains("100 ms", error.Message);
    }

    private static async Task RunCallersAsync(GroupCommitWriter writer, int first, int callers, int rounds) =>
        await Task.WhenAll(Enumerable.Range(first, callers).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < rounds; i++)
                await writer.AppendAsync(Entry(c * rounds + i), null, CancellationToken.None);
        })));

    private static (GroupCommitWriter Writer, CountingSink Sink) Open(TimeSpan linger)
    {
        var sink = new CountingSink();
        return (new GroupCommitWriter(sink, new AuditTrailOptions { GroupCommitLinger = linger }), sink);
    }

    private static async Task CloseAsync(GroupCommitWriter writer)
    {
        writer.Complete();
        await writer.Completion.WaitAsync(Patience);
    }

    private static AuditEntry Entry(int i) => new() { Action = AuditAction.ToolInvoked, ToolName = "lookup", Details = $$"""{"n":{{i}}}""" };

    // Acknowledges every append at once (no I/O) and records each commit's size.
    private sealed class CountingSink : IGroupCommitSink
    {
        private long _sequence;

        public List<int> BatchSizes { get; } = [];
        public bool HoldFirstCommit { get; set; }
        public (GroupCommitWriter Writer, int Queued)? HoldFirstCommitUntilQueued { get; set; }
        public TaskCompletionSource FirstCommitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource ReleaseFirstCommit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<SequencedBatch> CommitAsync(GroupCommit commit)
        {
            var batch = new SequencedBatch();
            if (commit.Appends.Count == 0)
                return batch;
            if (HoldFirstCommitUntilQueued is { } hold && BatchSizes.Count == 0)
            {
                FirstCommitStarted.SetResult();
                while (hold.Writer.QueueDepth < hold.Queued)
                    await Task.Yield();
            }
            if (HoldFirstCommit && BatchSizes.Count == 0)
            {
                FirstCommitStarted.SetResult();
                await ReleaseFirstCommit.Task;
            }
            BatchSizes.Add(commit.Appends.Count);
            foreach (var append in commit.Appends)
            {
                batch.Add(new AuditRecord
                {
                    Sequence = _sequence++,
                    Id = Guid.CreateVersion7(),
                    Timestamp = DateTimeOffset.UnixEpoch,
                    Action = append.Entry!.Action,
                    PreviousHash = new string('0', 64),
                    Hash = new string('0', 64),
                }, append.Completion!);
            }
            return batch;
        }

        public string Name => "counting";
        public bool SignsCheckpoints => false;
        public TimeSpan? WakeInterval => null;

        public ValueTask AfterCommitAsync(SequencedBatch batch, List<TaskCompletionSource>? flushes)
        {
            flushes?.ForEach(f => f.TrySetResult());
            return ValueTask.CompletedTask;
        }

        public string DescribeFault(Exception cause) => cause.Message;

        public void Complete() { }
    }
}
