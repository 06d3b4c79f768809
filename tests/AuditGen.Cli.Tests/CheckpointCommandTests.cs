using System.Text.Json;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Cli.Tests;

public sealed class CheckpointCommandTests
{
    [Fact]
    public async Task Keys_generate_writes_a_signer_key_file_and_prints_its_verifier_key()
    {
        using var folder = new TempFolder();
        var keyPath = folder.File("log.key");

        var run = await CliRun.Of("keys", "generate", "--name", "audit.example/clinic", "--out", keyPath);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var signer = NoteSigner.Load(keyPath);
        Assert.Equal("audit.example/clinic", signer.Name);
        Assert.Contains($"Verifier key: {signer.Verifier}", run.Output);
        Assert.Equal(signer.Verifier.ToString(), File.ReadAllText(keyPath + ".pub").Trim());
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
    }

    [Fact]
    public async Task Keys_generate_refuses_to_overwrite_an_existing_key()
    {
        using var folder = new TempFolder();
        var keyPath = folder.File("log.key");
        await File.WriteAllTextAsync(keyPath, "precious");

        var run = await CliRun.Of("keys", "generate", "--name", "audit.example/clinic", "--out", keyPath);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Equal("precious", await File.ReadAllTextAsync(keyPath));
    }

    [Fact]
    public async Task Checkpoint_signs_now_and_prints_a_note_that_verifies_with_the_public_key()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);
        await using (var writer = AuditTrail.OpenLiteDb(trail.Path))
            await SampleTrail.AppendAsync(writer); // six more, not yet covered

        var run = await CliRun.Of("checkpoint", trail.Path, "--signing-key", trail.KeyPath, "--export", trail.ExportDirectory);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var signed = SignedCheckpoint.Parse(run.Output, NoteVerifier.Parse(trail.VerifierKey));
        Assert.Equal(13, signed.Checkpoint.TreeSize); // 6 records, the closing checkpoint, 6 more
        Assert.Equal(run.Output, File.ReadAllText(trail.LatestCheckpoint));
    }

    [Fact]
    public async Task Checkpoint_with_a_file_that_is_not_a_key_exits_4()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);

        var run = await CliRun.Of("checkpoint", trail.Path, "--signing-key", trail.PublicKeyPath);

        Assert.Equal(ExitCodes.CheckpointInvalid, run.ExitCode);
        Assert.Contains("PRIVATE+KEY", run.Error);
    }

    [Fact]
    public async Task Proof_prints_an_inclusion_proof_that_verifies_against_the_signed_checkpoint()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);

        var run = await CliRun.Of("proof", trail.Path, "--seq", "2", "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var json = JsonDocument.Parse(run.Output).RootElement;
        var checkpoint = SignedCheckpoint.Parse(json.GetProperty("checkpoint").GetString()!, NoteVerifier.Parse(trail.VerifierKey));
        var proof = json.GetProperty("proof").EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToArray();
        Assert.Equal(6, json.GetProperty("treeSize").GetInt64());
        Assert.True(MerkleProof.VerifyInclusion(Convert.FromHexString(json.GetProperty("leafHash").GetString()!), 2, 6, proof, checkpoint.Checkpoint.RootHash));
        Assert.True(json.GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task Proof_in_text_names_the_checkpoint_and_the_result()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);

        var run = await CliRun.Of("proof", trail.Path, "--seq", "0");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Tree size: 6", run.Output);
        Assert.Contains("audit.example/cli", run.Output);
        Assert.Contains("Result: proof verifies against the root", run.Output);
        OutputAssert.NoAnsiEscapes(run.AllText);
    }

    [Fact]
    public async Task Proof_of_an_edited_record_does_not_verify_and_exits_1()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);
        var edited = Tampering.ChangeClassification(trail.Path, position: 1);

        var run = await CliRun.Of("proof", trail.Path, "--seq", edited.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(ExitCodes.Tampered, run.ExitCode);
        Assert.Contains("DOES NOT VERIFY", run.Output);
    }

    [Fact]
    public async Task Proof_of_a_sequence_past_the_end_exits_2_with_the_range()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);

        var run = await CliRun.Of("proof", trail.Path, "--seq", "99");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("0 to 6", run.Error);
    }

    [Fact]
    public async Task Verify_against_the_exported_checkpoint_of_an_intact_trail_exits_0()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);

        var run = await CliRun.Of("verify", trail.Path, "--checkpoint", trail.LatestCheckpoint, "--key", trail.PublicKeyPath);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Result: valid", run.Output);
        Assert.Contains("signature verified with audit.example/cli", run.Output);
        OutputAssert.NoAnsiEscapes(run.AllText);
    }

    [Fact]
    public async Task Verify_against_a_newer_checkpoint_of_a_rolled_back_trail_exits_1_naming_the_kind_and_checkpoint()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);
        var older = trail.Copy();
        await trail.AppendAsync();
        trail.Restore(older);

        var run = await CliRun.Of("verify", trail.Path, "--checkpoint", trail.LatestCheckpoint, "--key", trail.VerifierKey, "--json");

        Assert.Equal(ExitCodes.Tampered, run.ExitCode);
        var json = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal("rolled_back", json.GetProperty("failure").GetString());
        Assert.Equal(7, json.GetProperty("firstBrokenSequence").GetInt64());
        Assert.Equal(13, json.GetProperty("checkpoint").GetProperty("treeSize").GetInt64());
        Assert.True(json.GetProperty("checkpoint").GetProperty("signatureVerified").GetBoolean());
    }

    [Fact]
    public async Task Verify_with_a_checkpoint_signed_by_another_key_exits_4()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);
        var (_, otherKey) = NoteKeys.Generate("audit.example/cli");

        var run = await CliRun.Of("verify", trail.Path, "--checkpoint", trail.LatestCheckpoint, "--key", otherKey);

        Assert.Equal(ExitCodes.CheckpointInvalid, run.ExitCode);
        Assert.Contains("no signature by key", run.Error);
    }

    [Fact]
    public async Task Verify_with_a_key_but_no_checkpoint_is_a_usage_error()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);

        var run = await CliRun.Of("verify", trail.Path, "--key", trail.VerifierKey);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
    }

    [Fact]
    public async Task Consistency_of_an_older_and_a_newer_checkpoint_of_a_growing_trail_exits_0()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);
        await trail.AppendAsync();

        var run = await CliRun.Of("consistency", trail.Path, "--from", trail.CheckpointOf(6), "--to", trail.CheckpointOf(13), "--key", trail.VerifierKey);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Result: consistent", run.Output);
    }

    [Fact]
    public async Task Consistency_against_a_trail_rolled_back_below_the_newer_checkpoint_exits_1()
    {
        using var folder = new TempFolder();
        var trail = await CheckpointedTrail.CreateAsync(folder);
        var older = trail.Copy();
        await trail.AppendAsync();
        trail.Restore(older);

        var run = await CliRun.Of("consistency", trail.Path, "--from", trail.CheckpointOf(6), "--to", trail.CheckpointOf(13), "--json");

        Assert.Equal(ExitCodes.Tampered, run.ExitCode);
        Assert.False(JsonDocument.Parse(run.Output).RootElement.GetProperty("consistent").GetBoolean());
    }
}
