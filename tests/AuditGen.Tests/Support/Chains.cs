using AuditGen.Integrity;

namespace AuditGen.Tests.Support;

/// <summary>Builds correctly hashed chains in memory.</summary>
internal static class Chains
{
    public static List<AuditRecord> Build(int count)
    {
        var records = new List<AuditRecord>(count);
        var previous = HashHex.Zero;
        for (var i = 0; i < count; i++)
        {
            var record = Entries.FullRecord() with
            {
                Sequence = i,
                Id = Guid.CreateVersion7(),
                ToolName = $"tool-{i}",
                PreviousHash = previous,
                Hash = string.Empty,
            };
            record = Rehash(record);
            records.Add(record);
            previous = record.Hash;
        }
        return records;
    }

    /// <summary>The record with its hash recomputed (what a forger with the formula does).</summary>
    public static AuditRecord Rehash(AuditRecord record) => record with { Hash = ChainHasher.ComputeRecordHash(record) };

    public static VerificationResult Verify(IEnumerable<AuditRecord> stored)
    {
        var verifier = new ChainVerifier();
        var position = 0L;
        foreach (var record in stored)
            verifier.Observe(position++, record);
        return verifier.Complete();
    }
}
