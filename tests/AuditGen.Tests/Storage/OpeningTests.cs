using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

public sealed class OpeningTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_second_writer_in_the_same_process_gets_a_locked_error_naming_the_lock()
    {
        await using var first = _folder.Open();

        var error = Assert.Throws<AuditTrailLockedException>(() => _folder.Open());

        Assert.Contains(_folder.LockPath, error.Message);
        Assert.Contains("another writer", error.Message);
    }

    [Fact]
    public async Task The_lock_is_released_on_dispose()
    {
        await (await Task.FromResult(_folder.Open())).DisposeAsync();

        await using var second = _folder.Open();
        Assert.Equal(0, (await second.AppendAsync(Entries.ToolCall(0))).Sequence);
    }

    [Fact]
    public async Task A_read_only_reader_may_open_while_the_writer_holds_the_lock()
    {
        await TrailFixtures.WriteAndCloseAsync(_folder, 3);
        await using var writer = _folder.Open();

        await using var reader = _folder.Open(readOnly: true);

        Assert.Equal(3, (await reader.VerifyAsync()).RecordsChecked);
    }

    [Fact]
    public void A_garbage_database_file_is_reported_as_corrupt_naming_the_file()
    {
        File.WriteAllBytes(_folder.DbPath, Enumerable.Range(0, 64 * 1024).Select(i => (byte)(i * 31 + 7)).ToArray());

        var error = Assert.Throws<AuditStoreCorruptException>(() => _folder.Open());

        Assert.Contains(_folder.DbPath, error.Message);
        Assert.Contains("LiteDB", error.Message);
    }

    [Fact]
    public void A_garbage_journal_is_reported_as_corrupt_naming_the_file()
    {
        File.WriteAllText(_folder.JournalPath, "this is not a journal, it is a shopping list");

        var error = Assert.Throws<AuditStoreCorruptException>(() => _folder.Open());

        Assert.Contains(_folder.JournalPath, error.Message);
    }

    [Fact]
    public void A_missing_directory_is_reported_clearly()
    {
        var path = Path.Combine(_folder.Root, "no-such-folder", "audit.db");

        var error = Assert.Throws<AuditTrailException>(() => AuditTrail.OpenLiteDb(path));

        Assert.Contains("does not exist", error.Message);
        Assert.Contains(Path.Combine(_folder.Root, "no-such-folder"), error.Message);
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public async Task Appending_after_dispose_fails_with_a_clear_error()
    {
        var trail = _folder.Open();
        await trail.DisposeAsync();

        var error = await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.AppendAsync(Entries.ToolCall(0)));

        Assert.Contains("closed", error.Message);
    }

    [Fact]
    public async Task Dispose_drains_pending_appends_and_makes_them_durable_and_queryable()
    {
        var trail = _folder.Open();
        var pending = Enumerable.Range(0, 200).Select(i => trail.AppendAsync(Entries.ToolCall(i)).AsTask()).ToArray();
        await trail.DisposeAsync();
        var records = await Task.WhenAll(pending);

        await using var reopened = _folder.Open(readOnly: true);
        Assert.Equal(records.OrderBy(r => r.Sequence), await TrailFixtures.QueryAllAsync(reopened));
    }

    [Fact]
    public async Task Details_that_are_not_a_json_object_are_refused_before_they_reach_the_chain()
    {
        await using var trail = _folder.Open();

        await Assert.ThrowsAsync<ArgumentException>(async () => await trail.AppendAsync(new AuditEntry { Action = AuditAction.Error, Details = "[1,2]" }));
        await Assert.ThrowsAsync<ArgumentException>(async () => await trail.AppendAsync(new AuditEntry { Action = AuditAction.Error, Details = "{oops" }));
        Assert.Equal(0, (await trail.AppendAsync(Entries.ToolCall(0))).Sequence);
    }
}
