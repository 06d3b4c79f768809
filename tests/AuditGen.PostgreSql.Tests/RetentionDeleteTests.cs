using AuditGen.PostgreSql.Tests.Support;

namespace AuditGen.PostgreSql.Tests;

/// <summary>
/// <c>auditgen.delete_archived_records</c>, the one path by which records leave (retention itself is issue 7): it
/// deletes only whole segments described by an archive manifest whose boundary hashes match the live records.
/// </summary>
[RequiresPostgres]
public sealed class RetentionDeleteTests(InitializedDatabase database) : IClassFixture<InitializedDatabase>
{
    private readonly string _logId = Appends.NewLogId("retention");

    private Task AddManifestAsync(long from, long to, string firstPreviousHash, string lastHash) => database.ExecuteAsync(
        "INSERT INTO auditgen.archive_manifests (log_id, from_sequence, to_sequence, first_previous_hash, last_hash, archive_location, archive_sha256) " +
        "VALUES ($1, $2, $3, $4, $5, 'file:///archive/segment-0.jsonl.gz', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')",
        _logId, from, to, firstPreviousHash, lastHash);

    [StoreFact]
    public async Task It_refuses_records_that_no_archive_manifest_covers()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 10);

        var refused = await Appends.RefusedAsync(database.RetentionConnectionString, "SELECT auditgen.delete_archived_records($1, 4)", _logId);

        Assert.Contains("no archive manifest", refused.MessageText);
        Assert.Equal(10L, await database.ScalarAsync<long>("SELECT count(*) FROM auditgen.records WHERE log_id = $1", _logId));
    }

    [StoreFact]
    public async Task It_refuses_a_manifest_whose_boundary_hash_does_not_match_the_records()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 10);
        await AddManifestAsync(0, 4, written[0].PreviousHash, written[5].Hash);

        var refused = await Appends.RefusedAsync(database.RetentionConnectionString, "SELECT auditgen.delete_archived_records($1, 4)", _logId);

        Assert.Contains("does not match", refused.MessageText);
    }

    [StoreFact]
    public async Task It_never_deletes_the_chains_tail()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 5);
        await AddManifestAsync(0, 4, written[0].PreviousHash, written[4].Hash);

        var refused = await Appends.RefusedAsync(database.RetentionConnectionString, "SELECT auditgen.delete_archived_records($1, 4)", _logId);

        Assert.Contains("tail is never deleted", refused.MessageText);
    }

    [StoreFact]
    public async Task It_deletes_an_archived_segment_and_the_rest_of_the_log_still_verifies_and_grows()
    {
        var written = await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 10);
        await AddManifestAsync(0, 4, written[0].PreviousHash, written[4].Hash);

        var deleted = await database.ScalarAsync<long>("SELECT auditgen.delete_archived_records($1, 4)", _logId);
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.AppConnectionString, _logId);
        var next = await trail.AppendAsync(TrailConformance.ConformanceEntries.ToolCall(10));
        var result = await trail.VerifyAsync();

        Assert.Equal(5, deleted);
        Assert.Equal(10, next.Sequence);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(6, result.RecordsChecked);
    }

    [StoreFact]
    public async Task Without_the_manifest_the_deleted_start_is_a_gap_at_sequence_zero()
    {
        await Appends.WriteAndCloseAsync(database.AppConnectionString, _logId, 6);
        await database.ExecuteBypassingTriggersAsync("DELETE FROM auditgen.records WHERE log_id = $1 AND sequence < 3", _logId);

        var result = await Appends.VerifyAsync(database.AppConnectionString, _logId);

        Assert.Equal(VerificationFailure.Gap, result.Failure);
        Assert.Equal(0, result.FirstBrokenSequence);
    }
}
