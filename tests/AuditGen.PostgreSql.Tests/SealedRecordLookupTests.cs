using AuditGen.Erasure;
using AuditGen.PostgreSql.Schema;
using AuditGen.PostgreSql.Storage;
using AuditGen.PostgreSql.Tests.Support;

namespace AuditGen.PostgreSql.Tests;

/// <summary>
/// An erasure reads the records sealed under the subject's keys through <c>records_sealed_subject</c> (schema version 7),
/// a partial index of sealed records only, instead of reading the whole log.
/// </summary>
[RequiresPostgres]
public sealed class SealedRecordLookupTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _logId = Appends.NewLogId("sealed-lookup");
    private readonly string _vault = Directory.CreateTempSubdirectory("auditgen-pg-sealed-lookup-").FullName;

    public void Dispose() => Directory.Delete(_vault, recursive: true);

    private Task<PostgreSqlAuditTrail> OpenSealingAsync() =>
        PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, ConformanceSealing.WithErasure(new AuditTrailOptions(), _vault));

    // Alice's two sealed records among Bob's two and plain records on either side.
    private static async Task WriteAliceAmongOthersAsync(IAuditTrail trail)
    {
        for (var i = 0; i < 20; i++)
            await trail.AppendAsync(ConformanceEntries.ToolCall(i));
        await ConformanceSealing.RecordNoteAsync(trail, "MRN-ALICE", "Alice's note", "Alice's result");
        await ConformanceSealing.RecordNoteAsync(trail, "MRN-BOB", "Bob's note", "Bob's result");
        for (var i = 20; i < 40; i++)
            await trail.AppendAsync(ConformanceEntries.ToolCall(i));
    }

    [StoreFact]
    public async Task The_lookup_returns_exactly_the_records_sealed_for_the_subject_in_sequence_order()
    {
        await using var trail = await OpenSealingAsync();
        await WriteAliceAmongOthersAsync(trail);
        var alice = Base64Url.Encode(new SealingKeys(ConformanceSealing.CommitmentKey).Pseudonym("MRN-ALICE"));

        var found = new List<AuditRecord>();
        await foreach (var record in ((ISealedRecordLookup)trail).SealedRecordsAsync(alice, CancellationToken.None))
            found.Add(record);

        Assert.Equal([20L, 21], found.Select(r => r.Sequence));
        Assert.All(found, r => Assert.EndsWith(":" + alice, r.Sealed, StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task An_erasure_counts_the_subjects_records_found_through_the_index()
    {
        await using var trail = await OpenSealingAsync();
        await WriteAliceAmongOthersAsync(trail);

        var erasure = await trail.EraseSubjectAsync("MRN-ALICE", "GDPR Art. 17 request #12", "dpo@clinic.example");

        Assert.Equal(SubjectErasureOutcome.Erased, erasure.Outcome);
        Assert.Equal(2, erasure.Records);
        Assert.Equal(2, erasure.SealedValues);
        var stored = await Appends.StoredAsync(trail);
        Assert.Equal("\"Bob's note\"", Assert.Single((await trail.ReadSealedAsync(stored[22])).Values).Json);
    }

    [StoreFact]
    public async Task The_lookup_reads_only_sealed_records_through_their_index_even_on_a_young_table()
    {
        await using (var trail = await OpenSealingAsync())
        {
            await database.ExecuteAsync("ALTER TABLE auditgen.records SET (autovacuum_enabled = off)");
            await WriteAliceAmongOthersAsync(trail);
        }

        var scans = await GenericPlans.ScansAsync(database.ConnectionString, RecordRows.SelectSealedUnderSql);

        var plan = string.Join("; ", scans);
        Assert.Contains(scans, scan => scan.Index == "records_sealed_subject");
        Assert.All(scans, scan => Assert.True(
            scan.NodeType is "Index Scan" or "Bitmap Heap Scan" or "Bitmap Index Scan" && scan.Index is null or "records_sealed_subject" && scan.Filter is null,
            $"a read of more than the sealed records: {plan}"));
    }

    [StoreFact]
    public async Task A_version_6_log_gets_the_index_over_the_records_it_already_sealed()
    {
        await using (var trail = await OpenSealingAsync())
            await WriteAliceAmongOthersAsync(trail);
        // The same database as version 6 left it: sealed records, no index of them.
        await database.ExecuteAsync("DROP INDEX auditgen.records_sealed_subject; DELETE FROM auditgen.schema_version WHERE version = 7");

        await using var upgraded = await OpenSealingAsync();
        var erasure = await upgraded.EraseSubjectAsync("MRN-ALICE", "GDPR Art. 17 request #13", "dpo@clinic.example");

        Assert.Equal(SchemaMigrations.CurrentVersion, await database.ScalarAsync<int>("SELECT max(version) FROM auditgen.schema_version"));
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE schemaname = 'auditgen' AND indexname = 'records_sealed_subject'"));
        Assert.Equal(2, erasure.Records);
    }
}
