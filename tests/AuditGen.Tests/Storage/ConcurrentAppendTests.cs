using System.Collections.Concurrent;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

public sealed class ConcurrentAppendTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Sixteen_concurrent_writers_build_one_unforked_chain()
    {
        const int writers = 16, perWriter = 5_000;
        var returned = new ConcurrentBag<AuditRecord>();
        await using var trail = _folder.Open();

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
                returned.Add(await trail.AppendAsync(Entries.ToolCall(i, conversation: $"conv-{w}")));
        })));

        var sequences = returned.Select(r => r.Sequence).Order().ToList();
        Assert.Equal(Enumerable.Range(0, writers * perWriter).Select(i => (long)i), sequences);
        Assert.Equal(writers * perWriter, returned.Select(r => r.Id).Distinct().Count());

        var stored = (await TrailFixtures.QueryAllAsync(trail)).ToDictionary(r => r.Sequence);
        Assert.Equal(writers * perWriter, stored.Count);
        Assert.All(returned, r => Assert.Equal(r, stored[r.Sequence]));

        var result = await trail.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(writers * perWriter, result.RecordsChecked);
    }

    [Fact]
    public async Task Record_ids_are_version_7_uuids_increasing_with_the_sequence()
    {
        await using var trail = _folder.Open();
        var records = new List<AuditRecord>();
        for (var i = 0; i < 50; i++)
            records.Add(await trail.AppendAsync(Entries.ToolCall(i)));

        Assert.All(records, r => Assert.Equal(7, r.Id.Version));
        Assert.Equal(records.Select(r => r.Id.ToString()).Order(StringComparer.Ordinal), records.Select(r => r.Id.ToString()));
    }

    [Fact]
    public async Task Timestamps_come_from_the_time_provider_truncated_to_microseconds()
    {
        await using var trail = _folder.Open();

        var record = await trail.AppendAsync(Entries.ToolCall(0));

        Assert.Equal(_folder.Time.GetUtcNow().AddTicks(-(_folder.Time.GetUtcNow().UtcTicks % 10)), record.Timestamp);
        Assert.Equal(TimeSpan.Zero, record.Timestamp.Offset);
    }
}
