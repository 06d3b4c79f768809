using AuditGen.Integrity;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Integrity;

public class ChainVerifierTests
{
    [Fact]
    public void An_intact_chain_is_valid_and_reports_its_head()
    {
        var chain = Chains.Build(10);

        var result = Chains.Verify(chain);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(10, result.RecordsChecked);
        Assert.Equal(chain[^1].Hash, result.HeadHash);
    }

    [Fact]
    public void An_edited_field_is_a_hash_mismatch_at_that_sequence()
    {
        var chain = Chains.Build(10);
        chain[4] = chain[4] with { Classification = DataClass.Public };

        var result = Chains.Verify(chain);

        Assert.Equal(VerificationFailure.HashMismatch, result.Failure);
        Assert.Equal(4, result.FirstBrokenSequence);
        Assert.Contains("Sequence 4", result.Reason);
        Assert.Contains(chain[4].Hash[..12], result.Reason);
    }

    [Fact]
    public void A_deleted_record_is_a_gap_at_its_sequence()
    {
        var chain = Chains.Build(10);
        chain.RemoveAt(6);

        var result = Chains.Verify(chain);

        Assert.Equal(VerificationFailure.Gap, result.Failure);
        Assert.Equal(6, result.FirstBrokenSequence);
        Assert.Contains("Sequence 6 is missing", result.Reason);
    }

    [Fact]
    public void A_deleted_tail_is_not_detectable_by_the_chain_alone()
    {
        // Documented limit (DESIGN §4): only a signed checkpoint detects truncation of the tail.
        var chain = Chains.Build(10);
        chain.RemoveAt(9);

        Assert.True(Chains.Verify(chain).IsValid);
    }

    [Fact]
    public void A_naive_copy_inserted_into_the_chain_is_detected_at_the_insertion_point()
    {
        var chain = Chains.Build(10);
        chain.Insert(5, chain[4]);

        var result = Chains.Verify(chain);

        Assert.Equal(VerificationFailure.Reorder, result.Failure);
        Assert.Equal(5, result.FirstBrokenSequence);
    }

    [Fact]
    public void A_forged_record_with_a_correct_self_hash_is_detected_where_the_displaced_record_no_longer_fits()
    {
        var chain = Chains.Build(10);
        // The forger knows the formula: the new record claims sequence 5, chains onto record 4, and hashes correctly.
        // Taken alone it is indistinguishable from a genuine record 5, so position 5 verifies. The original records are
        // shifted one position later but still carry their own sequence numbers and hashes (re-hashing them would need
        // every later hash to change too): position 6 now holds sequence 5 again, which is the first inconsistency.
        var forged = Chains.Rehash(chain[5] with { ToolName = "forged", PreviousHash = chain[4].Hash });
        chain.Insert(5, forged);

        var result = Chains.Verify(chain);

        Assert.Equal(VerificationFailure.Reorder, result.Failure);
        Assert.Equal(6, result.FirstBrokenSequence);
    }

    [Fact]
    public void A_forged_record_whose_successors_were_renumbered_breaks_their_hashes()
    {
        var chain = Chains.Build(10);
        var forged = Chains.Rehash(chain[5] with { ToolName = "forged", PreviousHash = chain[4].Hash });
        var shifted = chain.Skip(5).Select(r => r with { Sequence = r.Sequence + 1 }).ToList();
        var tampered = chain.Take(5).Append(forged).Concat(shifted).ToList();

        var result = Chains.Verify(tampered);

        Assert.Equal(VerificationFailure.HashMismatch, result.Failure);
        Assert.Equal(6, result.FirstBrokenSequence);
    }

    [Fact]
    public void A_swapped_pair_is_a_reorder_at_the_first_of_the_pair()
    {
        var chain = Chains.Build(10);
        (chain[3], chain[4]) = (chain[4], chain[3]);

        var result = Chains.Verify(chain);

        Assert.Equal(VerificationFailure.Reorder, result.Failure);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Contains("appears later", result.Reason);
    }

    [Fact]
    public void A_re_hashed_edit_is_a_previous_hash_mismatch_at_the_next_record()
    {
        var chain = Chains.Build(10);
        chain[2] = Chains.Rehash(chain[2] with { Classification = DataClass.Public });

        var result = Chains.Verify(chain);

        Assert.Equal(VerificationFailure.PreviousHashMismatch, result.Failure);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Contains("sequence 2", result.Reason);
    }

    [Fact]
    public void A_malformed_record_is_reported_at_its_position()
    {
        var verifier = new ChainVerifier();
        var chain = Chains.Build(3);
        verifier.Observe(0, chain[0]);
        verifier.ObserveMalformed(1, "Unknown classification 'top_secret'.");

        var result = verifier.Complete();

        Assert.Equal(VerificationFailure.Malformed, result.Failure);
        Assert.Equal(1, result.FirstBrokenSequence);
        Assert.Contains("top_secret", result.Reason);
    }
}
