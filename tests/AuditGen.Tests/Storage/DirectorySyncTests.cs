using AuditGen.Storage.Journal;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

public sealed class DirectorySyncTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_platform_call_that_makes_a_new_journal_s_directory_entry_durable_succeeds()
    {
        Directory.CreateDirectory(_folder.Root);

        var failure = Record.Exception(() => DirectorySync.Flush(_folder.Root));

        Assert.Null(failure);
    }

    [Fact]
    public void A_directory_that_cannot_be_synced_is_an_IO_error_naming_it_not_a_silent_success()
    {
        if (OperatingSystem.IsWindows())
            return; // NTFS needs no directory sync; Flush is a no-op there by design.
        var missing = System.IO.Path.Combine(_folder.Root, "no-such-directory");

        var error = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
