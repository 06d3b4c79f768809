using AuditGen.Archive;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.PostgreSql.Tests.Support;
using AuditGen.Retention;
using AuditGen.TrailConformance;
using Microsoft.Extensions.Time.Testing;

namespace AuditGen.PostgreSql.Tests;

/// <summary>
/// <see cref="PostgreSqlAuditTrail.ArchiveAsync"/> and retention on PostgreSQL beyond the conformance suite: the roles
/// <c>db init</c> creates, resuming at every step, proofs and checkpoints after pruning, and the refusals.
/// </summary>
[RequiresPostgres]
public sealed class ArchiveTests(InitializedDatabase database) : IClassFixture<InitializedDatabase>, IDisposable
{
    private static readonly NoteSigner Signer = NoteSigner.Parse(NoteKeys.Generate("audit.example/pg-archive").SignerKey);
    private readonly string _logId = Appends.NewLogId("archive");
    private readonly string _folder = Directory.CreateTempSubdirectory("auditgen-pg-archive-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private FolderArchiveTarget Target => new(Path.Combine(_folder, "archive"));

    private AuditTrailOptions Options(bool signing = false) => new()
    {
        TimeProvider = _time,
        Checkpoints = signing ? new CheckpointOptions { Signer = Signer, EveryRecords = 0, Interval = null } : null,
    };

    private static ArchiveSelection Selection(params long[] sequences) => new(sequences, """{"reason":"test"}""");

    private async Task<List<AuditRecord>> AppendAsync(string connectionString, int count, AuditTrailOptions? options = null)
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(connectionString, _logId, options ?? Options());
        var records = new List<AuditRecord>();
        for (var i = 0; i < count; i++)
            records.Add(await trail.AppendAsync(ConformanceEntries.ToolCall(i) with { Domains = ComplianceDomain.Soc2 }));
        return records;
    }

    private static async Task<List<long>> LiveAsync(IAuditTrail trail)
    {
        var sequences = new List<long>();
        await foreach (var record in trail.QueryAsync(new AuditQuery()))
            sequences.Add(record.Sequence);
        return sequences;
    }

    [StoreFact]
    public async Task The_retention_role_applies_retention_and_the_log_verifies_with_its_archives()
    {
        await AppendAsync(database.AppConnectionString, 6);
        _time.Advance(TimeSpan.FromDays(2 * 365));
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.RetentionConnectionString, _logId, Options());

        var run = await trail.ApplyRetentionAsync(Target);
        var result = await trail.VerifyWithArchivesAsync(Target);

        Assert.Equal([0L, 1, 2, 3, 4, 5], run.Plan.Sequences);
        Assert.Equal(6, run.RecordsArchived);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(6, result.ArchivedRecordsChecked);
    }

    [StoreFact]
    public async Task The_application_role_is_refused_the_prune_and_the_retention_role_completes_the_run()
    {
        await AppendAsync(database.AppConnectionString, 6);
        _time.Advance(TimeSpan.FromDays(2 * 365));
        await using (var app = await PostgreSqlAuditTrail.OpenAsync(database.AppConnectionString, _logId, Options()))
        {
            var error = await Assert.ThrowsAsync<AuditTrailException>(() => app.ApplyRetentionAsync(Target));
            Assert.Contains("permission denied", error.Message);
            Assert.Equal(6, (await LiveAsync(app)).Count(s => s < 6));
        }
        await using var retention = await PostgreSqlAuditTrail.OpenAsync(database.RetentionConnectionString, _logId, Options());

        var run = await retention.ApplyRetentionAsync(Target);

        Assert.True(Assert.Single(run.Archives).Resumed);
        Assert.DoesNotContain(await LiveAsync(retention), s => s < 6);
        Assert.True((await retention.VerifyWithArchivesAsync(Target)).IsValid);
    }

    [StoreFact]
    public Task A_run_stopped_after_its_segment_was_written_is_completed_by_rerunning_it() => StopAndRerunAsync("segment-written");

    [StoreFact]
    public Task A_run_stopped_after_its_manifest_was_written_is_completed_by_rerunning_it() => StopAndRerunAsync("manifest-written");

    [StoreFact]
    public Task A_run_stopped_after_archive_created_is_completed_by_rerunning_it() => StopAndRerunAsync("archive-created");

    [StoreFact]
    public Task A_run_stopped_after_the_prune_is_completed_by_rerunning_it() => StopAndRerunAsync("pruned");

    private async Task StopAndRerunAsync(string step)
    {
        await AppendAsync(database.ConnectionString, 10);
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Options());
        trail.ArchiveStepReached = reached =>
        {
            if (reached == step)
                throw new OperationCanceledException($"stopped at {step}");
        };
        await Assert.ThrowsAsync<OperationCanceledException>(() => trail.ArchiveAsync(Selection(1, 2, 5, 7), Target));
        trail.ArchiveStepReached = null;

        var outcome = await trail.ArchiveAsync(Selection(1, 2, 5, 7), Target);

        Assert.True(outcome.Resumed);
        Assert.Equal([0L, 3, 4, 6, 8, 9], (await LiveAsync(trail)).Where(s => s < 10));
        Assert.Single(Directory.GetFiles(Target.Location, "*" + FolderArchiveTarget.SegmentSuffix));
        var created = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.ArchiveCreated }))
            created.Add(record);
        Assert.Single(created);
        var result = await trail.VerifyWithArchivesAsync(Target);
        Assert.True(result.IsValid, result.Reason);
    }

    [StoreFact]
    public async Task A_non_contiguous_selection_of_many_records_gets_the_merkle_root_the_database_computes()
    {
        await AppendAsync(database.ConnectionString, 40);
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Options());
        var sequences = Enumerable.Range(0, 39).Where(i => i % 3 != 1).Select(i => (long)i).ToArray();

        var outcome = await trail.ArchiveAsync(Selection(sequences), Target);
        var stored = await database.ScalarAsync<byte[]>("SELECT merkle_root FROM auditgen.archive_segments WHERE log_id = $1", _logId);

        Assert.Equal(sequences.Length, outcome.Manifest.Count);
        Assert.Equal(outcome.Manifest.MerkleRoot, HashHex.Encode(stored));
        Assert.Equal(sequences.Length, await database.ScalarAsync<long>("SELECT count(*) FROM auditgen.archived_records WHERE log_id = $1", _logId));
    }

    [StoreFact]
    public async Task Proofs_and_checkpoints_still_verify_after_pruning()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Options(signing: true));
        for (var i = 0; i < 8; i++)
            await trail.AppendAsync(ConformanceEntries.ToolCall(i));
        var checkpoint = await trail.CheckpointAsync();
        var rootBefore = await trail.GetRootAsync(checkpoint.Checkpoint.TreeSize);

        var outcome = await trail.ArchiveAsync(Selection(1, 2, 3, 6), Target);

        Assert.NotNull(outcome.Manifest.CheckpointNote);
        Assert.Equal(rootBefore, await trail.GetRootAsync(checkpoint.Checkpoint.TreeSize));
        Assert.True((await trail.GetInclusionProofAsync(4, checkpoint.Checkpoint.TreeSize)).Verify());
        var archived = await trail.GetInclusionProofAsync(2, checkpoint.Checkpoint.TreeSize);
        Assert.True(archived.Verify());
        Assert.Equal(await database.ScalarAsync<byte[]>("SELECT leaf FROM auditgen.archived_records WHERE log_id = $1 AND sequence = 2", _logId), archived.LeafHash);
        Assert.True((await trail.GetConsistencyProofAsync(checkpoint.Checkpoint.TreeSize, await trail.GetTreeSizeAsync())).Verify());
        var result = await trail.VerifyAsync(checkpoint);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(checkpoint, result.Checkpoint);
    }

    [StoreFact]
    public async Task It_refuses_the_newest_record_a_lifecycle_record_and_a_record_archived_already()
    {
        await AppendAsync(database.ConnectionString, 5);
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Options());
        var hold = await LegalHolds.PlaceAsync(trail, LegalHoldScope.Conversation("conv-9"), "Matter", "counsel");
        await trail.AppendAsync(ConformanceEntries.ToolCall(6));
        await trail.ArchiveAsync(Selection(1), Target);

        var last = await trail.GetTreeSizeAsync() - 1;
        var newest = await Assert.ThrowsAsync<ArgumentException>(() => trail.ArchiveAsync(Selection(0, last), Target));
        var lifecycle = await Assert.ThrowsAsync<ArgumentException>(() => trail.ArchiveAsync(Selection(hold.PlacedSequence), Target));
        var again = await Assert.ThrowsAsync<ArgumentException>(() => trail.ArchiveAsync(Selection(1, 2), Target));
        var beyond = await Assert.ThrowsAsync<ArgumentException>(() => trail.ArchiveAsync(Selection(0, 500), Target));

        Assert.Contains("newest", newest.Message);
        Assert.Contains("legal_hold_placed record: the log's own metadata is never archived", lifecycle.Message);
        Assert.Contains("Sequence 1 was already archived (segment seg-", again.Message);
        Assert.Contains($"Sequence 500 is not in the trail PostgreSQL log '{_logId}'", beyond.Message);
    }

    [StoreFact]
    public async Task Appends_from_another_instance_while_records_are_archived_keep_one_chain()
    {
        await AppendAsync(database.ConnectionString, 200);
        await using var archiver = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Options());
        await using var other = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Options());
        var sequences = Enumerable.Range(0, 199).Where(i => i % 2 == 0).Select(i => (long)i).ToArray();

        var appending = Task.Run(async () =>
        {
            var acknowledged = new List<AuditRecord>();
            for (var i = 0; i < 100; i++)
                acknowledged.Add(await other.AppendAsync(ConformanceEntries.ToolCall(1000 + i)));
            return acknowledged;
        });
        var outcome = await archiver.ArchiveAsync(Selection(sequences), Target);
        var acknowledged = await appending;

        var live = await LiveAsync(archiver);
        Assert.All(acknowledged, record => Assert.Contains(record.Sequence, live));
        Assert.DoesNotContain(live, s => s < 199 && s % 2 == 0);
        var result = await archiver.VerifyWithArchivesAsync(Target);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(outcome.Manifest.Count, result.ArchivedRecordsChecked);
        Assert.Equal(200 + 100 + 2, result.RecordsChecked);
    }

    [StoreFact]
    public async Task A_read_only_trail_cannot_archive()
    {
        await AppendAsync(database.ConnectionString, 3);
        await using var reader = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, new AuditTrailOptions { ReadOnly = true });

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => reader.ArchiveAsync(Selection(0), Target));

        Assert.Contains("read-only", error.Message);
    }

    [StoreFact]
    public async Task A_superuser_who_deletes_stubs_and_segment_row_is_caught_by_verification_with_archives()
    {
        await AppendAsync(database.ConnectionString, 6);
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, Options());
        var outcome = await trail.ArchiveAsync(Selection(1, 2), Target);
        await database.ExecuteBypassingTriggersAsync("DELETE FROM auditgen.archived_records WHERE log_id = $1", _logId);

        var live = await trail.VerifyAsync();

        Assert.Equal(VerificationFailure.Gap, live.Failure);
        Assert.Equal(1, live.FirstBrokenSequence);
        Assert.Equal(outcome.Manifest.FirstSequence, live.FirstBrokenSequence);
    }
}
