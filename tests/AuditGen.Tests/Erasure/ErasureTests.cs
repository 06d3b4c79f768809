using System.Text.Json;
using AuditGen.Erasure;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Integrity;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Erasure;

public sealed class ErasureTests : IDisposable
{
    private const string ErasedNote = "Alice Example, HIV positive, lives at 12 Harbour Lane";
    private const string ErasedResult = "Prescribed antiretroviral therapy for Alice Example";
    private const string KeptNote = "Bob Sample, seasonal allergies";
    private const string KeptResult = "Prescribed cetirizine for Bob Sample";
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private AuditTrailOptions Options()
    {
        var options = SealingFixture.Options(_folder);
        options.Checkpoints = new CheckpointOptions { Signer = CheckpointFixtures.Signer, ExportDirectory = CheckpointFixtures.ExportDirectory(_folder) };
        return options;
    }

    private LiteDbAuditTrail Open() => AuditTrail.OpenLiteDb(_folder.DbPath, Options());

    private static async Task WriteTwoSubjectsAsync(LiteDbAuditTrail trail)
    {
        await SealingFixture.RecordNoteAsync(trail, "MRN-ALICE", ErasedNote, ErasedResult);
        await SealingFixture.RecordNoteAsync(trail, "MRN-BOB", KeptNote, KeptResult);
        await SealingFixture.RecordNoteAsync(trail, "MRN-ALICE", ErasedNote + " (follow-up)", ErasedResult);
    }

    [Fact]
    public async Task After_erasure_the_chain_the_Merkle_tree_and_the_checkpoints_still_verify()
    {
        await using var trail = Open();
        await WriteTwoSubjectsAsync(trail);
        var before = await trail.CheckpointAsync();
        var proofBefore = await trail.GetInclusionProofAsync(0, before.Checkpoint.TreeSize);

        await trail.EraseSubjectAsync("MRN-ALICE", "GDPR Art. 17 request #4711", "dpo@clinic.example");
        var after = await trail.CheckpointAsync();

        var result = await trail.VerifyAsync(after);
        Assert.True(result.IsValid, result.Reason);
        var againstOld = await trail.VerifyAsync(before);
        Assert.True(againstOld.IsValid, againstOld.Reason);
        Assert.True(MerkleProof.VerifyInclusion(proofBefore.LeafHash, 0, proofBefore.TreeSize, proofBefore.Path, before.Checkpoint.RootHash));
        var proofAfter = await trail.GetInclusionProofAsync(0, after.Checkpoint.TreeSize);
        Assert.Equal(proofBefore.LeafHash, proofAfter.LeafHash);
    }

    [Fact]
    public async Task Reading_an_erased_value_returns_the_erased_marker_with_when_who_and_the_erasure_record()
    {
        await using var trail = Open();
        await WriteTwoSubjectsAsync(trail);
        _folder.Time.Advance(TimeSpan.FromDays(30));

        var erasure = await trail.EraseSubjectAsync("MRN-ALICE", "GDPR Art. 17 request #4711", "dpo@clinic.example");
        var read = await trail.ReadSealedAsync((await SealingFixture.RecordsAsync(trail))[0]);

        var value = Assert.Single(read.Values);
        Assert.True(value.IsErased);
        Assert.Null(value.Json);
        Assert.Equal("dpo@clinic.example", value.Erasure!.RequestedBy);
        Assert.Equal("GDPR Art. 17 request #4711", value.Erasure.Reason);
        Assert.Equal(erasure.Record!.Sequence, value.Erasure.RecordSequence);
        Assert.Equal(_folder.Time.GetUtcNow(), value.Erasure.ErasedAt);
        Assert.Contains("erased at", value.Erasure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_subjects_sealed_values_remain_readable_after_an_erasure()
    {
        await using var trail = Open();
        await WriteTwoSubjectsAsync(trail);

        await trail.EraseSubjectAsync("MRN-ALICE", "request", "dpo");
        var records = await SealingFixture.RecordsAsync(trail);

        Assert.Equal(JsonSerializer.Serialize(KeptNote), (await trail.ReadSealedAsync(records[2])).Values[0].Json);
        Assert.Equal(JsonSerializer.Serialize(KeptResult), (await trail.ReadSealedAsync(records[3])).Values[0].Json);
        Assert.True((await trail.ReadSealedAsync(records[4])).Values[0].IsErased);
    }

    [Fact]
    public async Task After_erasure_no_file_the_trail_owns_holds_the_erased_content_in_any_encoding()
    {
        await using (var trail = Open())
        {
            await WriteTwoSubjectsAsync(trail);
            await trail.EraseSubjectAsync("MRN-ALICE", "request for MRN-ALICE", "dpo");
            await SealingFixture.RecordNoteAsync(trail, "MRN-BOB", KeptNote, KeptResult);
        }

        // Every file under the folder: LiteDB store (and any -log/-tmp), journal, Merkle tree, lock, vault keys and
        // payloads, exported checkpoints.
        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, ErasedNote));
        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, ErasedResult));
        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, "Alice Example"));
        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, "MRN-ALICE"));
        Assert.NotEmpty(Directory.GetFiles(_folder.DbPath + ".vault"));
    }

    [Fact]
    public async Task After_erasure_the_disk_and_the_commitment_key_together_decrypt_nothing_of_the_subject()
    {
        byte[] pseudonym;
        await using (var trail = Open())
        {
            await WriteTwoSubjectsAsync(trail);
            pseudonym = Options().Erasure!.Keys.Pseudonym("MRN-ALICE");
            await trail.EraseSubjectAsync("MRN-ALICE", "request", "dpo");
        }

        // What an attacker who has the disk and kc finds: the subject's slots with zero seeds, and no payload file.
        using var vault = FileSealVault.Open(_folder.DbPath, readOnly: true);
        var keys = vault.KeysOf(pseudonym);
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Null(key.Seed));
        Assert.All(keys, key => Assert.False(File.Exists(Path.Combine(_folder.DbPath + ".vault", VaultFiles.PayloadFileName(key.KeyNumber)))));
        var slots = File.ReadAllBytes(Path.Combine(_folder.DbPath + ".vault", VaultFiles.KeysFileName));
        foreach (var key in keys)
            Assert.True(slots.AsSpan(VaultFiles.KeysHeaderLength + (int)key.KeyNumber * VaultFiles.SlotLength + 48, 32).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public async Task The_subject_erased_record_names_the_pseudonym_the_scrubbed_reason_who_asked_and_the_counts()
    {
        await using var trail = Open();
        await WriteTwoSubjectsAsync(trail);

        var erasure = await trail.EraseSubjectAsync("MRN-ALICE", "Request from MRN-ALICE, reply to alice@example.com", "dpo@clinic.example");

        Assert.Equal(SubjectErasureOutcome.Erased, erasure.Outcome);
        var record = erasure.Record!;
        Assert.Equal(AuditAction.SubjectErased, record.Action);
        Assert.Equal("dpo@clinic.example", record.ActorId);
        Assert.DoesNotContain("MRN-ALICE", record.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("alice@example.com", record.Details, StringComparison.Ordinal);
        using var details = JsonDocument.Parse(record.Details!);
        var root = details.RootElement;
        Assert.Equal(erasure.SubjectPseudonym, root.GetProperty("subject").GetString());
        Assert.Equal(1, root.GetProperty("keysDestroyed").GetInt32());
        Assert.Equal(4, root.GetProperty("sealedValues").GetInt32()); // two notes, two results
        Assert.Equal(4, root.GetProperty("records").GetInt32());
        Assert.Equal((1, 4, 4), (erasure.KeysDestroyed, erasure.SealedValues, erasure.Records));
        Assert.Contains("[subject]", root.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erasing_twice_changes_nothing_and_says_the_subject_was_already_erased()
    {
        await using var trail = Open();
        await WriteTwoSubjectsAsync(trail);
        var first = await trail.EraseSubjectAsync("MRN-ALICE", "request", "dpo");
        var count = (await SealingFixture.RecordsAsync(trail)).Count;

        var second = await trail.EraseSubjectAsync("MRN-ALICE", "request again", "dpo");

        Assert.Equal(SubjectErasureOutcome.AlreadyErased, second.Outcome);
        Assert.Equal(first.Record!.Sequence, second.Record!.Sequence);
        Assert.Contains("already erased", second.Message, StringComparison.Ordinal);
        Assert.Equal(count, (await SealingFixture.RecordsAsync(trail)).Count);
    }

    [Fact]
    public async Task Erasing_an_unknown_subject_is_a_clear_result_and_records_nothing()
    {
        await using var trail = Open();
        await WriteTwoSubjectsAsync(trail);
        var count = (await SealingFixture.RecordsAsync(trail)).Count;

        var result = await trail.EraseSubjectAsync("MRN-NOBODY", "request", "dpo");

        Assert.Equal(SubjectErasureOutcome.UnknownSubject, result.Outcome);
        Assert.Null(result.Record);
        Assert.Contains("no sealed content", result.Message, StringComparison.Ordinal);
        Assert.Equal(count, (await SealingFixture.RecordsAsync(trail)).Count);
    }

    [Fact]
    public async Task New_content_for_an_erased_subject_is_sealed_under_a_new_key_and_stays_readable()
    {
        await using var trail = Open();
        await WriteTwoSubjectsAsync(trail);
        await trail.EraseSubjectAsync("MRN-ALICE", "request", "dpo");

        await SealingFixture.RecordNoteAsync(trail, "MRN-ALICE", "new visit", "new result");
        var records = await SealingFixture.RecordsAsync(trail);
        var fresh = records[^2];

        Assert.Equal("\"new visit\"", (await trail.ReadSealedAsync(fresh)).Values[0].Json);
        Assert.NotEqual(records[0].Sealed, fresh.Sealed);
        Assert.True((await trail.ReadSealedAsync(records[0])).Values[0].IsErased);
    }

    [Fact]
    public async Task A_reader_opened_before_new_subjects_and_an_erasure_sees_both()
    {
        await using var trail = Open();
        await SealingFixture.RecordNoteAsync(trail, "MRN-ALICE", ErasedNote, ErasedResult);
        await using var reader = SealingFixture.Open(_folder, readOnly: true);

        await SealingFixture.RecordNoteAsync(trail, "MRN-BOB", KeptNote, KeptResult);
        await trail.EraseSubjectAsync("MRN-ALICE", "request", "dpo");
        await trail.FlushAsync();
        var records = await SealingFixture.RecordsAsync(reader);

        Assert.True((await reader.ReadSealedAsync(records[0])).Values[0].IsErased);
        Assert.Equal(JsonSerializer.Serialize(KeptNote), (await reader.ReadSealedAsync(records[2])).Values[0].Json);
    }

    [Theory]
    [InlineData("", "reason", "dpo")]
    [InlineData("MRN-ALICE", " ", "dpo")]
    [InlineData("MRN-ALICE", "reason", "")]
    public async Task Erasure_needs_a_subject_a_reason_and_who_asked(string subject, string reason, string by)
    {
        await using var trail = Open();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => trail.EraseSubjectAsync(subject, reason, by));
    }

    [Fact]
    public async Task Erasure_on_a_read_only_trail_is_refused()
    {
        await using (var trail = Open())
            await WriteTwoSubjectsAsync(trail);
        await using var reader = SealingFixture.Open(_folder, readOnly: true);

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => reader.EraseSubjectAsync("MRN-ALICE", "request", "dpo"));

        Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
    }
}
