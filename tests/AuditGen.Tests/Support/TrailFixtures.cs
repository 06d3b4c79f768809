namespace AuditGen.Tests.Support;

internal static class TrailFixtures
{
    /// <summary>Appends <paramref name="count"/> records one after another (one group commit each) and closes the trail.</summary>
    public static async Task<List<AuditRecord>> WriteAndCloseAsync(TrailFolder folder, int count, int start = 0)
    {
        var records = new List<AuditRecord>();
        await using (var trail = folder.Open())
        {
            for (var i = start; i < start + count; i++)
                records.Add(await trail.AppendAsync(Entries.ToolCall(i)));
        }
        return records;
    }

    public static async Task<List<AuditRecord>> QueryAllAsync(IAuditTrail trail, AuditQuery? query = null)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(query ?? new AuditQuery()))
            records.Add(record);
        return records;
    }
}
