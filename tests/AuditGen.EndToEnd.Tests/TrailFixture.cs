namespace AuditGen.EndToEnd.Tests;

/// <summary>A fresh LiteDB trail in its own temp folder, deleted afterwards.</summary>
public sealed class TrailFixture : IAsyncDisposable
{
    public static readonly byte[] HmacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private TrailFixture(string directory, LiteDbAuditTrail trail)
    {
        Directory = directory;
        Trail = trail;
    }

    public string Directory { get; }

    public string DatabasePath => Path.Combine(Directory, "audit.db");

    public LiteDbAuditTrail Trail { get; private set; }

    public static TrailFixture Create(AuditFailurePolicy policy = AuditFailurePolicy.Default)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("auditgen-e2e-").FullName;
        var trail = AuditTrail.OpenLiteDb(Path.Combine(directory, "audit.db"), new AuditTrailOptions { HmacKey = HmacKey, FailurePolicy = policy });
        return new TrailFixture(directory, trail);
    }

    public async Task<List<AuditRecord>> RecordsAsync()
    {
        await Trail.FlushAsync();
        var records = new List<AuditRecord>();
        await foreach (var record in Trail.QueryAsync(new AuditQuery())) records.Add(record);
        return records;
    }

    /// <summary>Closes the trail and returns every byte of every file the trail left behind.</summary>
    public async Task<byte[]> CloseAndReadAllFilesAsync()
    {
        await Trail.DisposeAsync();
        using var all = new MemoryStream();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories))
            all.Write(await File.ReadAllBytesAsync(file));
        return all.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await Trail.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
