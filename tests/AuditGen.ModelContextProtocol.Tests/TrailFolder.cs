namespace AuditGen.ModelContextProtocol.Tests;

/// <summary>A LiteDB trail in a temp folder, and its records read back.</summary>
internal sealed class TrailFolder : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "auditgen-mcp-" + Guid.NewGuid().ToString("N"));

    public TrailFolder()
    {
        Directory.CreateDirectory(_folder);
        Trail = AuditTrail.OpenLiteDb(Path.Combine(_folder, "audit.db"), new AuditTrailOptions { HmacKey = Key, FailurePolicy = AuditFailurePolicy.FailClosed });
    }

    public static byte[] Key { get; } = Enumerable.Range(0, 32).Select(i => (byte)(i * 11 + 3)).ToArray();

    public LiteDbAuditTrail Trail { get; }

    public async Task<List<AuditRecord>> RecordsAsync()
    {
        var records = new List<AuditRecord>();
        await foreach (var record in Trail.QueryAsync(new AuditQuery()))
            records.Add(record);
        return records;
    }

    public async ValueTask DisposeAsync()
    {
        await Trail.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { /* temp is cleaned later */ }
    }
}
