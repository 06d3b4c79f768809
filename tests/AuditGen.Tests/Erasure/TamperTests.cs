using AuditGen.Erasure;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Erasure;

public sealed class TamperTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string PayloadFile => Path.Combine(_folder.DbPath + ".vault", VaultFiles.PayloadFileName(0));

    private async Task<AuditRecord> WriteOneAsync()
    {
        await using var trail = SealingFixture.Open(_folder);
        await SealingFixture.RecordNoteAsync(trail, "MRN-1", "a private note", "a private result");
        return (await SealingFixture.RecordsAsync(trail))[0];
    }

    [Fact]
    public async Task A_flipped_ciphertext_byte_is_reported_as_failed_authentication()
    {
        var record = await WriteOneAsync();
        var bytes = File.ReadAllBytes(PayloadFile);
        var frames = VaultFiles.ReadFrames(bytes, 0, out _);
        // Flip a ciphertext byte of the first frame and fix up its CRC, as an attacker who knows the format would.
        var frame = frames[0] with { Ciphertext = [.. frames[0].Ciphertext] };
        frame.Ciphertext[5] ^= 0x40;
        Rewrite(frames.Select(f => f == frames[0] ? frame : f));

        await using var trail = SealingFixture.Open(_folder);
        var error = await Assert.ThrowsAsync<SealedContentTamperedException>(async () => await trail.ReadSealedAsync(record));

        Assert.Equal(SealedContentProblem.AuthenticationFailed, error.Problem);
        Assert.Equal("arguments.note", error.Path);
        Assert.Equal(0, error.Sequence);
    }

    [Fact]
    public async Task A_payload_encrypted_correctly_but_not_the_one_committed_to_is_reported_as_a_commitment_mismatch()
    {
        var record = await WriteOneAsync();
        var frames = VaultFiles.ReadFrames(File.ReadAllBytes(PayloadFile), 0, out _);
        var options = SealingFixture.Options(_folder);
        // An attacker with the disk and kc re-encrypts another text under the same key, bound to the same commitment.
        using (var vault = FileSealVault.Open(_folder.DbPath, readOnly: true))
        {
            var key = vault.Key(0)!;
            var forged = SealCrypto.Seal(options.Erasure!.Keys, key, record.Id,
                new SealedValue(frames[0].Index, frames[0].Commitment, new byte[32], "\"a forged note\""u8.ToArray()));
            Rewrite(frames.Select(f => f == frames[0] ? forged : f));
        }

        await using var trail = SealingFixture.Open(_folder);
        var error = await Assert.ThrowsAsync<SealedContentTamperedException>(async () => await trail.ReadSealedAsync(record));

        Assert.Equal(SealedContentProblem.CommitmentMismatch, error.Problem);
    }

    [Fact]
    public async Task A_deleted_payload_file_of_a_live_key_is_reported_as_a_missing_payload()
    {
        var record = await WriteOneAsync();
        File.Delete(PayloadFile);

        await using var trail = SealingFixture.Open(_folder);
        var error = await Assert.ThrowsAsync<SealedContentTamperedException>(async () => await trail.ReadSealedAsync(record));

        Assert.Equal(SealedContentProblem.PayloadMissing, error.Problem);
        Assert.Contains("record 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lost_key_file_is_reported_as_a_missing_key()
    {
        var record = await WriteOneAsync();
        Directory.Delete(_folder.DbPath + ".vault", recursive: true);

        await using var trail = SealingFixture.Open(_folder);
        var error = await Assert.ThrowsAsync<SealedContentTamperedException>(async () => await trail.ReadSealedAsync(record));

        Assert.Equal(SealedContentProblem.KeyMissing, error.Problem);
    }

    [Fact]
    public async Task A_torn_key_slot_reads_as_erased_and_a_writer_completes_it()
    {
        var record = await WriteOneAsync();
        var keysPath = Path.Combine(_folder.DbPath + ".vault", VaultFiles.KeysFileName);
        var keys = File.ReadAllBytes(keysPath);
        // Half of an erasure's slot write reached the disk: status and the first half of the seed zeroed.
        keys[VaultFiles.KeysHeaderLength] = 2;
        Array.Clear(keys, VaultFiles.KeysHeaderLength + 48, 16);
        File.WriteAllBytes(keysPath, keys);

        await using (var reader = SealingFixture.Open(_folder, readOnly: true))
            Assert.True((await reader.ReadSealedAsync(record)).Values[0].IsErased);
        await using (SealingFixture.Open(_folder)) { }

        var repaired = File.ReadAllBytes(keysPath);
        Assert.True(repaired.AsSpan(VaultFiles.KeysHeaderLength + 48, 32).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public async Task A_torn_last_payload_frame_is_cut_off_and_later_values_are_readable()
    {
        await WriteOneAsync();
        var intact = new FileInfo(PayloadFile).Length;
        await using (var file = new FileStream(PayloadFile, FileMode.Append))
            file.Write("AGSF\x10\0\0\0partial"u8);

        await using var trail = SealingFixture.Open(_folder);
        await SealingFixture.RecordNoteAsync(trail, "MRN-1", "after the crash", "ok");
        var records = await SealingFixture.RecordsAsync(trail);

        Assert.Equal("\"after the crash\"", (await trail.ReadSealedAsync(records[2])).Values[0].Json);
        Assert.Equal("\"a private note\"", (await trail.ReadSealedAsync(records[0])).Values[0].Json);
        Assert.True(new FileInfo(PayloadFile).Length > intact);
    }

    private void Rewrite(IEnumerable<VaultFrame> frames)
    {
        var output = new AuditGen.Storage.ByteBufferWriter(4096);
        output.GetSpan(VaultFiles.PayloadHeaderLength);
        VaultFiles.PayloadHeader(0).CopyTo(output.GetSpan(VaultFiles.PayloadHeaderLength));
        output.Advance(VaultFiles.PayloadHeaderLength);
        foreach (var frame in frames)
            VaultFiles.WriteFrame(frame, output);
        File.WriteAllBytes(PayloadFile, output.Written.ToArray());
    }
}
