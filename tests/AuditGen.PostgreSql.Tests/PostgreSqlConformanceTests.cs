using AuditGen.PostgreSql.Tests.Support;
using AuditGen.TrailConformance;

namespace AuditGen.PostgreSql.Tests;

/// <summary>The store-agnostic suite against PostgreSQL; storage is edited by a superuser with the triggers off.</summary>
[RequiresPostgres]
public sealed class PostgreSqlConformanceTests(PostgresDatabase database) : TrailConformanceTests, IClassFixture<PostgresDatabase>
{
    private readonly string _logId = "conformance-" + Guid.NewGuid().ToString("N")[..8];

    protected override async Task<IAuditTrail> OpenTrailAsync(AuditTrailOptions options) =>
        await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, options);

    protected override Task SetStoredClassificationAsync(long sequence, string wireValue) =>
        database.ExecuteBypassingTriggersAsync("UPDATE auditgen.records SET classification = $1 WHERE log_id = $2 AND sequence = $3", wireValue, _logId, sequence);

    protected override Task DeleteStoredRecordAsync(long sequence) =>
        database.ExecuteBypassingTriggersAsync("DELETE FROM auditgen.records WHERE log_id = $1 AND sequence = $2", _logId, sequence);

    protected override Task<AuditGen.Retention.RetentionRun> ApplyRetentionAsync(IAuditTrail trail, AuditGen.Archive.IArchiveTarget target) =>
        ((PostgreSqlAuditTrail)trail).ApplyRetentionAsync(target);

    protected override ValueTask<VerificationResult> VerifyWithArchivesAsync(IAuditTrail trail, AuditGen.Archive.IArchiveTarget archives) =>
        ((PostgreSqlAuditTrail)trail).VerifyWithArchivesAsync(archives);

    protected override void SetArchiveStepHook(IAuditTrail trail, Action<string>? hook) => ((PostgreSqlAuditTrail)trail).ArchiveStepReached = hook;
}
