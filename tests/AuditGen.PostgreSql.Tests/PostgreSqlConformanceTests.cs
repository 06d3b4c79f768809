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

    // Erasure: the vault in a temp folder of its own (PostgreSQL keeps no keys), deleted with the test.
    private readonly string _vaultRoot = Directory.CreateTempSubdirectory("auditgen-pg-vault-").FullName;

    protected override string ErasureVaultDirectory => Path.Combine(_vaultRoot, "vault");

    protected override string? ErasureVaultOption => ErasureVaultDirectory;

    // Every row of this log (records, tree nodes) as PostgreSQL renders it in text.
    protected override async Task<byte[]> StoredRecordBytesAsync() =>
        System.Text.Encoding.UTF8.GetBytes(
            await database.ScalarAsync<string>("SELECT coalesce(string_agg(r::text, E'\\n' ORDER BY sequence), '') FROM auditgen.records r WHERE log_id = $1", _logId)
            + await database.ScalarAsync<string>("SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM auditgen.tree_nodes t WHERE log_id = $1", _logId));

    protected override ValueTask<AuditGen.Erasure.SealedContent> ReadSealedAsync(IAuditTrail trail, AuditRecord record) =>
        ((PostgreSqlAuditTrail)trail).ReadSealedAsync(record);

    protected override Task<AuditGen.Erasure.SubjectErasureResult> EraseSubjectAsync(IAuditTrail trail, string subjectId, string reason, string requestedBy) =>
        ((PostgreSqlAuditTrail)trail).EraseSubjectAsync(subjectId, reason, requestedBy);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_vaultRoot, recursive: true);
    }
}
