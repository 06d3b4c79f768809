using System.Security.Cryptography;
using System.Text;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Integrity;

public class ChainHasherTests
{
    [Fact]
    public void The_first_records_hash_follows_the_spec_formula_from_the_genesis_hash()
    {
        var record = Entries.FullRecord() with { Sequence = 0, PreviousHash = HashHex.Zero };
        var canonical = AuditRecordCodec.GetCanonicalBytes(record);

        // DESIGN §4, by hand: leaf = SHA-256(0x00 ‖ canonical); hash = SHA-256("auditgen:v1" ‖ 32 zero bytes ‖ leaf).
        var leaf = SHA256.HashData([0x00, .. canonical]);
        var expected = SHA256.HashData([.. Encoding.UTF8.GetBytes("auditgen:v1"), .. new byte[32], .. leaf]);

        Assert.Equal(Convert.ToHexStringLower(expected), ChainHasher.ComputeRecordHash(record));
    }

    [Fact]
    public void A_later_records_hash_chains_onto_the_raw_bytes_of_the_previous_hash()
    {
        var previous = SHA256.HashData("previous"u8);
        var record = Entries.FullRecord() with { PreviousHash = Convert.ToHexStringLower(previous) };
        var leaf = SHA256.HashData([0x00, .. AuditRecordCodec.GetCanonicalBytes(record)]);

        var expected = SHA256.HashData([.. "auditgen:v1"u8, .. previous, .. leaf]);

        Assert.Equal(Convert.ToHexStringLower(expected), ChainHasher.ComputeRecordHash(record));
    }

    [Fact]
    public void Hashes_are_lower_case_hex_of_32_bytes()
    {
        var hash = ChainHasher.ComputeRecordHash(Entries.FullRecord());

        Assert.True(AuditRecordCodec.IsHashHex(hash));
    }
}
