using AuditGen.Storage.Journal;

namespace AuditGen.Tests.Support;

/// <summary>
/// A journal file that delegates to the real one but lets a test hold the durability barrier: every
/// <see cref="FlushToDisk"/> signals <see cref="FsyncEntered"/> and then waits for <see cref="Release"/> (when gated),
/// or throws <see cref="FailWith"/>.
/// </summary>
internal sealed class GatedJournalFile(IJournalFile inner) : IJournalFile
{
    private readonly SemaphoreSlim _entered = new(0);
    private readonly SemaphoreSlim _release = new(0);

    public bool Gated { get; set; }

    public Exception? FailWith { get; set; }

    public int Fsyncs;

    public string Path => inner.Path;

    public long Length => inner.Length;

    public void Append(ReadOnlySpan<byte> data) => inner.Append(data);

    public void FlushToDisk()
    {
        if (FailWith is { } failure)
            throw failure;
        if (Gated)
        {
            _entered.Release();
            if (!_release.Wait(TimeSpan.FromSeconds(30)))
                throw new TimeoutException("The test never released the fsync gate.");
        }
        inner.FlushToDisk();
        Interlocked.Increment(ref Fsyncs);
    }

    public async Task WaitUntilFsyncEnteredAsync() =>
        Assert.True(await _entered.WaitAsync(TimeSpan.FromSeconds(30)), "The writer never reached the fsync.");

    public void Release() => _release.Release();

    public void Truncate(long length) => inner.Truncate(length);

    public Stream OpenRead() => inner.OpenRead();

    public void WriteAt(long offset, ReadOnlySpan<byte> data) => inner.WriteAt(offset, data);

    public void FlushWritesAtToDisk() => inner.FlushWritesAtToDisk();

    public void Dispose() => inner.Dispose();
}
