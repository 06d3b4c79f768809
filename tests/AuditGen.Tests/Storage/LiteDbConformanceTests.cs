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

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }
}
