using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Integrity.Merkle;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Integrity.Checkpoints;

/// <summary>The store-agnostic check against a checkpoint, fed records directly (no store).</summary>
public sealed class CheckpointVerifierTests
{
    [Fact]
    public void An_in_trail_checkpoint_whose_signature_by_the_log_key_does_not_verify_is_reported_as_forged()
    {
        var records = new List<AuditRecord>();
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());
        for (var i = 0; i < 10; i++)
        {
            AuditRecord record;
            if (i == 5)
            {
                var genuine = SignedCheckpoint.Sign(new Checkpoint(CheckpointFixtures.Origin, 5, tree.Root()), CheckpointFixtures.Signer);
                // Keep the key name and id on the line, flip a bit of the signature itself.
                var line = genuine.NoteText.TrimEnd('\n').Split('\n')[^1];
                var blob = Convert.FromBase64String(line[(line.LastIndexOf(' ') + 1)..]);
                blob[^1] ^= 1;
                var forgedNote = genuine.NoteText[..(genuine.NoteText.Length - line.Length - 1)] + line[..(line.LastIndexOf(' ') + 1)] + Convert.ToBase64String(blob) + "\n";
                var (entry, details) = CheckpointRecords.Entry(genuine with { NoteText = forgedNote });
                record = Next(records, entry, details);
            }
            else
            {
                record = Next(records, Entries.ToolCall(i), null);
            }
            records.Add(record);
            tree.Append(Leaf(record));
        }
        var external = SignedCheckpoint.Sign(new Checkpoint(CheckpointFixtures.Origin, 10, tree.Root()), CheckpointFixtures.Signer);
        var verifier = new CheckpointVerifier(SignedCheckpoint.Parse(external.NoteText, CheckpointFixtures.Verifier));

        foreach (var record in records)
            verifier.Observe(record, Leaf(record));
        var result = verifier.Complete(new VerificationResult { RecordsChecked = 10 });

        Assert.Equal((VerificationFailure.Swapped, 0L), (result.Failure, result.FirstBrokenSequence));
        Assert.Contains("forged", result.Reason);
    }

    [Fact]
    public void A_trail_of_exactly_the_checkpointed_records_agrees_with_it()
    {
        var records = new List<AuditRecord>();
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());
        for (var i = 0; i < 7; i++)
        {
            var record = Next(records, Entries.ToolCall(i), null);
            records.Add(record);
            tree.Append(Leaf(record));
        }
        var verifier = new CheckpointVerifier(SignedCheckpoint.Sign(new Checkpoint(CheckpointFixtures.Origin, 7, tree.Root()), CheckpointFixtures.Signer));

        foreach (var record in records)
            verifier.Observe(record, Leaf(record));

        Assert.True(verifier.Complete(new VerificationResult { RecordsChecked = 7 }).IsValid);
    }

    private static AuditRecord Next(List<AuditRecord> before, AuditEntry entry, string? canonicalDetails)
    {
        var details = canonicalDetails ?? (entry.Details is null ? null : System.Text.Encoding.UTF8.GetString(AuditGen.Canonical.AuditRecordCodec.CanonicalizeDetails(entry.Details)));
        var unhashed = SequencedRecord.From(entry, details, before.Count, Guid.CreateVersion7(), new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
            before.Count == 0 ? HashHex.Zero : before[^1].Hash);
        return Chains.Rehash(unhashed);
    }

    private static byte[] Leaf(AuditRecord record)
    {
        var leaf = new byte[32];
        ChainHasher.ComputeRecordHash(record, leaf);
        return leaf;
    }
}
