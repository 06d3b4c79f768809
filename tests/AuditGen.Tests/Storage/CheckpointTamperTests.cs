using AuditGen.Integrity.Checkpoints;
using AuditGen.Tests.Support;
using LiteDB;

namespace AuditGen.Tests.Storage;

/// <summary>
/// The tamper suite on a real LiteDB trail, verified against its latest exported, signed checkpoint: edits, deletions,
/// insertions and reorders are named by the chain at their position; a cut tail, a swapped store and a rollback to an
/// older copy — which no chain can see — are named against the checkpoint.
/// </summary>
public sealed class CheckpointTamperTests : IDisposable
{
    private readonly TrailFolder _folder = new();
    private readonly TrailFolder _other = new();

    public void Dispose()
    {
        _folder.Dispose();
        _other.Dispose();
    }

    // 20 tool calls with a checkpoint every 8: records 0-7, checkpoint at 8, 9-16, checkpoint at 17, 18-21, and the
    // closing checkpoint at 22 (covering 22 records), which is the latest export.
    private async Task<SignedCheckpoint> WriteTrailAsync()
    {
        await using (var trail = CheckpointFixtures.Open(_folder, everyRecords: 8))
            await CheckpointFixtures.AppendAsync(trail, 20);
        var latest = CheckpointFixtures.LatestExport(_folder);
        Assert.Equal(22, latest.Checkpoint.TreeSize);
        return latest;
    }

    private async Task<VerificationResult> VerifyAgainstAsync(SignedCheckpoint checkpoint)
    {
        await using var trail = _folder.Open(readOnly: true);
        return await trail.VerifyAsync(checkpoint);
    }

    [Fact]
    public async Task An_untouched_trail_verifies_against_its_latest_checkpoint()
    {
        var checkpoint = await WriteTrailAsync();

        var result = await VerifyAgainstAsync(checkpoint);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(23, result.RecordsChecked);
        Assert.Same(checkpoint, result.Checkpoint);
    }

    [Fact]
    public async Task A_trail_that_grew_after_a_checkpoint_verifies_against_the_older_checkpoint()
    {
        await WriteTrailAsync();
        var older = SignedCheckpoint.Parse(await File.ReadAllTextAsync(CheckpointExport.PathFor(CheckpointFixtures.ExportDirectory(_folder), 8)), CheckpointFixtures.Verifier);

        var result = await VerifyAgainstAsync(older);

        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public async Task An_edited_field_is_a_hash_mismatch_at_its_sequence()
    {
        var checkpoint = await WriteTrailAsync();
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            var document = records.FindById(7);
            document["toolName"] = "export_all_patients";
            records.Update(document);
        });

        var result = await VerifyAgainstAsync(checkpoint);

        Assert.Equal((VerificationFailure.HashMismatch, 7L), (result.Failure, result.FirstBrokenSequence));
    }

    [Fact]
    public async Task A_deleted_record_is_a_gap_at_its_sequence()
    {
        var checkpoint = await WriteTrailAsync();
        LiteDbSurgery.Edit(_folder.DbPath, records => records.Delete(12));

        var result = await VerifyAgainstAsync(checkpoint);

        Assert.Equal((VerificationFailure.Gap, 12L), (result.Failure, result.FirstBrokenSequence));
    }

    [Fact]
    public async Task An_inserted_record_is_a_reorder_at_the_insertion_point()
    {
        var checkpoint = await WriteTrailAsync();
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            LiteDbSurgery.ShiftUp(records, 5);
            records.Insert(LiteDbSurgery.Copy(records.FindById(4), newPosition: 5));
        });

        var result = await VerifyAgainstAsync(checkpoint);

        Assert.Equal((VerificationFailure.Reorder, 5L), (result.Failure, result.FirstBrokenSequence));
    }

    [Fact]
    public async Task Two_swapped_records_are_a_reorder_at_the_first_of_them()
    {
        var checkpoint = await WriteTrailAsync();
        LiteDbSurgery.Edit(_folder.DbPath, records =>
        {
            var third = records.FindById(3);
            var fourth = records.FindById(4);
            records.Update(LiteDbSurgery.Copy(fourth, 3));
            records.Update(LiteDbSurgery.Copy(third, 4));
        });

        var result = await VerifyAgainstAsync(checkpoint);

        Assert.Equal((VerificationFailure.Reorder, 3L), (result.Failure, result.FirstBrokenSequence));
    }

    [Fact]
    public async Task A_cut_tail_that_the_chain_accepts_is_truncated_at_the_first_missing_sequence()
    {
        var checkpoint = await WriteTrailAsync();
        TailSurgery.KeepFirst(_folder, 20);

        await using (var plain = _folder.Open(readOnly: true))
            Assert.True((await plain.VerifyAsync()).IsValid); // the chain alone cannot see it
        var result = await VerifyAgainstAsync(checkpoint);

        Assert.Equal((VerificationFailure.Truncated, 20L), (result.Failure, result.FirstBrokenSequence));
        Assert.Same(checkpoint, result.Checkpoint);
        Assert.Contains("22", result.Reason);
        Assert.Contains(CheckpointFixtures.Origin, result.Reason);
    }

    [Fact]
    public async Task A_store_swapped_for_a_fresh_valid_chain_is_swapped_from_sequence_zero()
    {
        var checkpoint = await WriteTrailAsync();
        await TrailFixtures.WriteAndCloseAsync(_other, 30);
        ReplaceTrailWith(_other);

        var result = await VerifyAgainstAsync(checkpoint);

        Assert.Equal((VerificationFailure.Swapped, 0L), (result.Failure, result.FirstBrokenSequence));
        Assert.Same(checkpoint, result.Checkpoint);
    }

    [Fact]
    public async Task A_shorter_swapped_chain_with_checkpoints_by_another_key_is_swapped_not_truncated()
    {
        var checkpoint = await WriteTrailAsync();
        var (otherKey, _) = NoteKeys.Generate(CheckpointFixtures.Origin);
        await using (var other = AuditTrail.OpenLiteDb(_other.DbPath, new AuditTrailOptions
        {
            TimeProvider = _other.Time,
            Checkpoints = new CheckpointOptions { Signer = NoteSigner.Parse(otherKey), EveryRecords = 4 },
        }))
            await CheckpointFixtures.AppendAsync(other, 9);
        ReplaceTrailWith(_other);

        var result = await VerifyAgainstAsync(checkpoint);

        Assert.Equal((VerificationFailure.Swapped, 0L), (result.Failure, result.FirstBrokenSequence));
    }

    [Fact]
    public async Task A_trail_rolled_back_to_an_older_copy_is_rolled_back_at_the_first_missing_sequence()
    {
        await using (var trail = CheckpointFixtures.Open(_folder))
            await CheckpointFixtures.AppendAsync(trail, 10); // records 0-9, closing checkpoint at 10
        var copy = TrailCopy.Take(_folder);
        await using (var trail = CheckpointFixtures.Open(_folder))
            await CheckpointFixtures.AppendAsync(trail, 10, start: 10);
        var latest = CheckpointFixtures.LatestExport(_folder);
        copy.Restore();

        var result = await VerifyAgainstAsync(latest);

        Assert.Equal((VerificationFailure.RolledBack, 11L), (result.Failure, result.FirstBrokenSequence));
        Assert.Contains("older copy", result.Reason);
    }

    [Fact]
    public async Task A_rolled_back_copy_written_again_is_swapped_after_its_last_authentic_checkpoint()
    {
        await using (var trail = CheckpointFixtures.Open(_folder))
            await CheckpointFixtures.AppendAsync(trail, 10);
        var copy = TrailCopy.Take(_folder);
        await using (var trail = CheckpointFixtures.Open(_folder))
            await CheckpointFixtures.AppendAsync(trail, 10, start: 10);
        var latest = CheckpointFixtures.LatestExport(_folder);
        copy.Restore();
        await using (var trail = _folder.Open()) // a writer without the export folder does not notice
            await CheckpointFixtures.AppendAsync(trail, 15, start: 100);

        var result = await VerifyAgainstAsync(latest);

        Assert.Equal((VerificationFailure.Swapped, 10L), (result.Failure, result.FirstBrokenSequence));
    }

    private void ReplaceTrailWith(TrailFolder source)
    {
        foreach (var file in Directory.EnumerateFiles(_folder.Root, "audit*"))
            File.Delete(file);
        foreach (var file in Directory.EnumerateFiles(source.Root, "audit*"))
            File.Copy(file, Path.Combine(_folder.Root, Path.GetFileName(file)));
    }
}
