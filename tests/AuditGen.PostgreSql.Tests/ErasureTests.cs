using AuditGen.Erasure;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Integrity;
using AuditGen.PostgreSql.Storage;
using AuditGen.PostgreSql.Tests.Support;
using Npgsql;

namespace AuditGen.PostgreSql.Tests;

/// <summary>
/// Erasure on PostgreSQL beyond the conformance suite: the vault is a folder outside the database, held by one writer;
/// sealing is part of the group commit (before COMMIT, once per group commit, whatever the retries).
/// </summary>
[RequiresPostgres]
public sealed class ErasureTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private static readonly NoteSigner Signer = NoteSigner.Parse(NoteKeys.Generate("audit.example/pg-erasure").SignerKey);
    private readonly string _logId = Appends.NewLogId("erase");
    private readonly string _root = Directory.CreateTempSubdirectory("auditgen-pg-erasure-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Vault => Path.Combine(_root, "vault");

    private AuditTrailOptions Sealing(bool readOnly = false, string? vault = null) =>
        ConformanceSealing.WithErasure(new AuditTrailOptions { ReadOnly = readOnly }, vault ?? Vault);

    private Task<PostgreSqlAuditTrail> OpenAsync(AuditTrailOptions options, string? logId = null) =>
        PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, logId ?? _logId, options);

    private Task<long> StoredCountAsync() => database.ScalarAsync<long>("SELECT count(*) FROM auditgen.records WHERE log_id = $1", _logId);

    [StoreFact]
    public async Task Opening_with_erasure_but_no_vault_directory_fails_naming_the_option()
    {
        var options = ConformanceSealing.WithErasure(new AuditTrailOptions(), vaultDirectory: null);

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => OpenAsync(options));

        Assert.Contains("AuditTrailOptions.Erasure.VaultDirectory", error.Message, StringComparison.Ordinal);
        Assert.Contains(_logId, error.Message, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task A_second_writer_on_the_same_vault_is_refused_with_an_error_naming_the_vault_and_the_limit()
    {
        await using var first = await OpenAsync(Sealing());

        var error = await Assert.ThrowsAsync<AuditTrailLockedException>(() => OpenAsync(Sealing()));

        Assert.Contains(Vault, error.Message, StringComparison.Ordinal);
        Assert.Contains("one vault per log", error.Message, StringComparison.Ordinal);
        Assert.Contains("shared vault service", error.Message, StringComparison.Ordinal);
        await ConformanceSealing.RecordNoteAsync(first, "MRN-ALICE", "still sealing", "ok");
    }

    [StoreFact]
    public async Task A_reader_beside_the_writer_reads_the_values_the_writer_sealed_after_it_opened()
    {
        await using var writer = await OpenAsync(Sealing());
        await ConformanceSealing.RecordNoteAsync(writer, "MRN-ALICE", "first note", "first result");
        await using var reader = await OpenAsync(Sealing(readOnly: true));
        await ConformanceSealing.RecordNoteAsync(writer, "MRN-ALICE", "second note", "second result");

        var records = await Appends.StoredAsync(reader);
        var read = await reader.ReadSealedAsync(records[2]);

        Assert.Equal("\"second note\"", Assert.Single(read.Values).Json);
    }

    [StoreFact]
    public async Task A_trail_with_erasure_options_seals_for_the_conversation_adapters()
    {
        await using var trail = await OpenAsync(Sealing());

        var keys = SealingSession.KeysOf(trail, "MessageCapture (Sealed)");

        Assert.Same(trail.Options.Erasure!.Keys, keys);
    }

    [StoreFact]
    public async Task A_vault_failure_mid_commit_acknowledges_nothing_and_commits_nothing()
    {
        var trail = await OpenAsync(Sealing());
        // The first subject key's payload file cannot be created: a folder is in its place.
        Directory.CreateDirectory(Path.Combine(Vault, VaultFiles.PayloadFileName(0)));

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => ConformanceSealing.RecordNoteAsync(trail, "MRN-ALICE", "a note", "a result"));
        var next = await Assert.ThrowsAnyAsync<AuditTrailException>(async () => await trail.AppendAsync(ConformanceEntries.ToolCall(0)));

        Assert.Contains("was not run", error.Message, StringComparison.Ordinal);
        Assert.Contains("vault", error.InnerException!.Message, StringComparison.Ordinal);
        Assert.Contains("vault", next.Message, StringComparison.Ordinal);
        Assert.Equal(0, await StoredCountAsync());
        // Like a database failure that cannot be retried, nothing is acknowledged; unlike one, the writer is faulted
        // (a torn frame may be left in the payload file until the vault is reopened), and closing reports it.
        await Assert.ThrowsAnyAsync<AuditTrailException>(async () => await trail.DisposeAsync());
    }

    [StoreFact]
    public async Task A_group_commit_retried_after_a_lost_connection_seals_its_values_once()
    {
        await using var trail = await OpenAsync(Sealing());
        var kills = 0;
        trail.Sink!.TestHook = async (stage, connection) =>
        {
            if (stage == CommitStage.BeforeInsert && kills < 2)
            {
                kills++;
                Assert.True(await database.ScalarAsync<bool>("SELECT pg_terminate_backend($1)", connection.ProcessID));
            }
        };

        await ConformanceSealing.RecordNoteAsync(trail, "MRN-ALICE", "a note", "a result");

        var records = await Appends.StoredAsync(trail);
        Assert.Equal(2, kills);
        Assert.Equal(2, records.Count);
        Assert.Equal(2, await StoredCountAsync());
        using var vault = FileSealVault.OpenDirectory(Vault, readOnly: true);
        Assert.Single(vault.Frames(0, records[0].Id));
        Assert.Single(vault.Frames(0, records[1].Id));
        Assert.Equal("\"a note\"", Assert.Single((await trail.ReadSealedAsync(records[0])).Values).Json);
    }

    [StoreFact]
    public async Task After_erasure_checkpoints_and_inclusion_proofs_from_before_still_verify()
    {
        var options = Sealing();
        options.Checkpoints = new CheckpointOptions { Signer = Signer, Interval = null, ExportDirectory = Path.Combine(_root, "checkpoints") };
        await using var trail = await OpenAsync(options);
        await ConformanceSealing.RecordNoteAsync(trail, "MRN-ALICE", "a note", "a result");
        await ConformanceSealing.RecordNoteAsync(trail, "MRN-BOB", "another note", "another result");
        var before = await trail.CheckpointAsync();
        var proof = await trail.GetInclusionProofAsync(0, before.Checkpoint.TreeSize);

        await trail.EraseSubjectAsync("MRN-ALICE", "GDPR Art. 17 request #4711", "dpo@clinic.example");
        var after = await trail.CheckpointAsync();

        var againstOld = await trail.VerifyAsync(before);
        var againstNew = await trail.VerifyAsync(after);
        Assert.True(againstOld.IsValid, againstOld.Reason);
        Assert.True(againstNew.IsValid, againstNew.Reason);
        Assert.True(MerkleProof.VerifyInclusion(proof.LeafHash, 0, proof.TreeSize, proof.Path, before.Checkpoint.RootHash));
        Assert.Equal(proof.LeafHash, (await trail.GetInclusionProofAsync(0, after.Checkpoint.TreeSize)).LeafHash);
        Assert.True(Assert.Single((await trail.ReadSealedAsync((await Appends.StoredAsync(trail))[0])).Values).IsErased);
    }

    // Erasure steps are a process-wide hook; only the flow that sets InterruptAt is interrupted.
    private static readonly AsyncLocal<string?> InterruptAt = new();

    static ErasureTests() => ErasureSteps.OnStep = step =>
    {
        if (InterruptAt.Value == step)
            throw new IOException($"interrupted at {step} (test)");
    };

    [StoreFact]
    public async Task An_erasure_interrupted_after_the_keys_were_destroyed_reads_as_erased_and_is_completed_by_the_next_one()
    {
        await using var trail = await OpenAsync(Sealing());
        await ConformanceSealing.RecordNoteAsync(trail, "MRN-ALICE", "a note", "a result");
        var note = (await Appends.StoredAsync(trail))[0];

        InterruptAt.Value = "payloads-deleted";
        await Assert.ThrowsAsync<IOException>(() => trail.EraseSubjectAsync("MRN-ALICE", "Art. 17", "dpo"));
        InterruptAt.Value = null;
        var interrupted = Assert.Single((await trail.ReadSealedAsync(note)).Values);
        var completed = await trail.EraseSubjectAsync("MRN-ALICE", "Art. 17", "dpo");

        Assert.True(interrupted.IsErased);
        Assert.Null(interrupted.Erasure!.RecordSequence);
        Assert.Equal(SubjectErasureOutcome.Completed, completed.Outcome);
        Assert.Equal(completed.Record!.Sequence, Assert.Single((await trail.ReadSealedAsync(note)).Values).Erasure!.RecordSequence);
        Assert.Equal(3, await StoredCountAsync());
    }

    [StoreFact]
    public async Task A_read_only_trail_cannot_erase()
    {
        await using (var writer = await OpenAsync(Sealing()))
            await ConformanceSealing.RecordNoteAsync(writer, "MRN-ALICE", "a note", "a result");
        await using var reader = await OpenAsync(Sealing(readOnly: true));

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => reader.EraseSubjectAsync("MRN-ALICE", "request", "dpo"));

        Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
    }
}
