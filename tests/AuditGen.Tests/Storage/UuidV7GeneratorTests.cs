using AuditGen.Storage;

namespace AuditGen.Tests.Storage;

public class UuidV7GeneratorTests
{
    [Fact]
    public void Ids_carry_the_millisecond_timestamp_version_7_and_the_rfc_variant()
    {
        var time = new DateTimeOffset(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

        var id = new UuidV7Generator().Next(time);

        var text = id.ToString("N");
        Assert.Equal(time.ToUnixTimeMilliseconds(), Convert.ToInt64(text[..12], 16));
        Assert.Equal('7', text[12]);
        Assert.Contains(text[16], "89ab");
    }

    [Fact]
    public void Ids_increase_within_one_millisecond_and_when_the_clock_steps_back()
    {
        var generator = new UuidV7Generator();
        var time = DateTimeOffset.UnixEpoch.AddYears(55);
        var ids = Enumerable.Range(0, 10_000).Select(i => generator.Next(i == 5_000 ? time.AddSeconds(-1) : time)).Select(g => g.ToString()).ToList();

        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
