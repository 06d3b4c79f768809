using AuditGen.Integrity.Checkpoints;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Storage;

/// <summary>The single writer signs checkpoints every N records, every T with new records, on demand and on close.</summary>
public sealed class CheckpointWritingTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<List<AuditRecord>> CheckpointRecordsAsync()
    {
        await using var trail = _folder.Open(readOnly: true);
        return await TrailFixtures.QueryAllAsync(trail, new AuditQuery { Action = AuditAction.CheckpointSigned });
    }

    [Fact]
    public async Task A_checkpoint_is_recorded_after_every_n_records_covering_the_records_before_it()
    {
        await using (var trail = CheckpointFixtures.Open(_folder, everyRecords: 5))
            await CheckpointFixtures.AppendAsync(trail, 12);

        var checkpoints = await CheckpointRecordsAsync();

        // Records 0-4, checkpoint at 5 (covers 5); records 6-10, checkpoint at 11 (covers 11); 12-13, closing checkpoint at 14.
        Assert.Equal([5L, 11L, 14L], checkpoints.Select(r => r.Sequence));
        Assert.All(checkpoints, r => Assert.Equal(r.Sequence, CheckpointRecords.Read(r, CheckpointFixtures.Verifier).Checkpoint.TreeSize));
    }

    [Fact]
    public async Task A_checkpoint_record_carries_a_note_signed_by_the_configured_key_over_the_trail_root()
    {
        await using (var trail = CheckpointFixtures.Open(_folder, everyRecords: 4))
            await CheckpointFixtures.AppendAsync(trail, 4);

        var record = (await CheckpointRecordsAsync())[0];
        var signed = CheckpointRecords.Read(record, CheckpointFixtures.Verifier);

        await using var reader = _folder.Open(readOnly: true);
        Assert.Equal(reader.GetRoot(4), signed.Checkpoint.RootHash);
        Assert.Equal(CheckpointFixtures.Origin, signed.Checkpoint.Origin);
        Assert.Equal(ActorType.System, record.ActorType);
        Assert.Equal("auditgen", record.ActorId);
    }

    [Fact]
    public async Task A_checkpoint_is_signed_when_the_interval_passes_and_records_arrived()
    {
        await using var trail = CheckpointFixtures.Open(_folder, interval: TimeSpan.FromMinutes(1));
        await CheckpointFixtures.AppendAsync(trail, 3);
        Assert.Null(trail.LatestCheckpoint);

        _folder.Time.Advance(TimeSpan.FromMinutes(1));
        await trail.FlushAsync();

        Assert.Equal(3, trail.LatestCheckpoint!.Checkpoint.TreeSize);
    }

    [Fact]
    public async Task No_interval_checkpoint_is_signed_when_nothing_new_was_recorded()
    {
        await using var trail = CheckpointFixtures.Open(_folder, interval: TimeSpan.FromMinutes(1));
        await CheckpointFixtures.AppendAsync(trail, 2);
        _folder.Time.Advance(TimeSpan.FromMinutes(1));
        await trail.FlushAsync();

        _folder.Time.Advance(TimeSpan.FromMinutes(5));
        await trail.FlushAsync();

        Assert.Equal(2, trail.LatestCheckpoint!.Checkpoint.TreeSize);
        Assert.Equal(3, trail.TreeSize); // two records and one checkpoint
    }

    [Fact]
    public async Task Signing_on_demand_covers_every_record_before_it_and_is_exported()
    {
        await using var trail = CheckpointFixtures.Open(_folder);
        await CheckpointFixtures.AppendAsync(trail, 6);

        var signed = await trail.CheckpointAsync();

        Assert.Equal(6, signed.Checkpoint.TreeSize);
        Assert.Equal(signed.NoteText, await File.ReadAllTextAsync(Path.Combine(CheckpointFixtures.ExportDirectory(_folder), "checkpoint")));
        Assert.Equal(signed.NoteText, await File.ReadAllTextAsync(Path.Combine(CheckpointFixtures.ExportDirectory(_folder), "checkpoint-6")));
        Assert.Equal(6, CheckpointFixtures.LatestExport(_folder).Checkpoint.TreeSize);
    }

    [Fact]
    public async Task Signing_on_demand_with_nothing_new_returns_the_latest_checkpoint_without_a_new_record()
    {
        await using var trail = CheckpointFixtures.Open(_folder);
        await CheckpointFixtures.AppendAsync(trail, 2);
        var first = await trail.CheckpointAsync();

        var second = await trail.CheckpointAsync();

        Assert.Equal(first.NoteText, second.NoteText);
        Assert.Equal(3, trail.TreeSize);
    }

    [Fact]
    public async Task Closing_the_trail_signs_what_the_latest_checkpoint_does_not_cover()
    {
        await using (var trail = CheckpointFixtures.Open(_folder))
            await CheckpointFixtures.AppendAsync(trail, 3);

        Assert.Equal(3, CheckpointFixtures.LatestExport(_folder).Checkpoint.TreeSize);
    }

    [Fact]
    public async Task Reopening_continues_from_the_latest_checkpoint_in_the_trail()
    {
        await using (var trail = CheckpointFixtures.Open(_folder, everyRecords: 4))
            await CheckpointFixtures.AppendAsync(trail, 4);

        await using var reopened = CheckpointFixtures.Open(_folder, everyRecords: 4);

        Assert.Equal(4, reopened.LatestCheckpoint!.Checkpoint.TreeSize);
        await CheckpointFixtures.AppendAsync(reopened, 4);
        Assert.Equal(9, reopened.LatestCheckpoint!.Checkpoint.TreeSize); // records 5-8 after the checkpoint at 4
    }

    [Fact]
    public async Task Signing_on_a_trail_without_checkpoint_options_fails_with_a_clear_error()
    {
        await using var trail = _folder.Open();

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => trail.CheckpointAsync().AsTask());

        Assert.Contains("AuditTrailOptions.Checkpoints", error.Message);
    }

    [Fact]
    public async Task A_signing_key_file_that_does_not_hold_a_key_fails_the_open_naming_the_file()
    {
        var keyPath = Path.Combine(_folder.Root, "bad.key");
        await File.WriteAllTextAsync(keyPath, "not a key");

        var error = Assert.Throws<AuditTrailException>(() => AuditTrail.OpenLiteDb(_folder.DbPath, new AuditTrailOptions
        {
            TimeProvider = _folder.Time,
            Checkpoints = new CheckpointOptions { SigningKeyPath = keyPath },
        }));

        Assert.Contains(keyPath, error.Message);
    }

    [Fact]
    public async Task A_writer_refuses_to_extend_a_trail_that_is_behind_its_exported_checkpoint()
    {
        await using (var trail = CheckpointFixtures.Open(_folder))
            await CheckpointFixtures.AppendAsync(trail, 5);
        var copy = TrailCopy.Take(_folder);
        await using (var trail = CheckpointFixtures.Open(_folder))
            await CheckpointFixtures.AppendAsync(trail, 5, start: 5);
        copy.Restore();

        var error = Assert.Throws<AuditStoreCorruptException>(() => CheckpointFixtures.Open(_folder));

        Assert.Contains("rolled back", error.Message);
    }
}
