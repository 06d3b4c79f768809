using AuditGen.Tests.Support;
using AuditGen.TrailConformance;

namespace AuditGen.Tests.Storage;

/// <summary>The store-agnostic suite against the LiteDB trail (journal + query store) in a temp folder.</summary>
public sealed class LiteDbConformanceTests : TrailConformanceTests
{
    private readonly TrailFolder _folder = new();

    protected override Task<IAuditTrail> OpenTrailAsync(AuditTrailOptions options) =>
        Task.FromResult<IAuditTrail>(AuditTrail.OpenLiteDb(_folder.DbPath, options));

    protected override Task SetStoredClassificationAsync(long sequence, string wireValue)
    {
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            var document = records.FindById(sequence);
            document["classification"] = wireValue;
            records.Update(document);
        });
        return Task.CompletedTask;
    }

    protected override Task DeleteStoredRecordAsync(long sequence)
    {
        LiteDbSurgery.Edit(_folder.DbPath, records => records.Delete(sequence));
        return Task.CompletedTask;
    }

    protected override Task<AuditGen.Retention.RetentionRun> ApplyRetentionAsync(IAuditTrail trail, AuditGen.Archive.IArchiveTarget target) =>
        ((LiteDbAuditTrail)trail).ApplyRetentionAsync(target);

    protected override ValueTask<VerificationResult> VerifyWithArchivesAsync(IAuditTrail trail, AuditGen.Archive.IArchiveTarget archives) =>
        ((LiteDbAuditTrail)trail).VerifyWithArchivesAsync(archives);

    protected override void SetArchiveStepHook(IAuditTrail trail, Action<string>? hook) => ((LiteDbAuditTrail)trail).ArchiveStepReached = hook;

    // Erasure: the vault in its default place beside the database.
    protected override string ErasureVaultDirectory => _folder.DbPath + ".vault";

    protected override string? ErasureVaultOption => null;

    protected override Task<byte[]> StoredRecordBytesAsync() =>
        Task.FromResult(Directory.GetFiles(_folder.Root)
            .Where(f => f.StartsWith(_folder.DbPath, StringComparison.Ordinal))
            .SelectMany(File.ReadAllBytes).ToArray());

    protected override ValueTask<AuditGen.Erasure.SealedContent> ReadSealedAsync(IAuditTrail trail, AuditRecord record) =>
        ((LiteDbAuditTrail)trail).ReadSealedAsync(record);

    protected override Task<AuditGen.Erasure.SubjectErasureResult> EraseSubjectAsync(IAuditTrail trail, string subjectId, string reason, string requestedBy) =>
        ((LiteDbAuditTrail)trail).EraseSubjectAsync(subjectId, reason, requestedBy);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }
}
