using System.Buffers.Binary;
using System.Text;
using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Tests.Integrity.Checkpoints;

/// <summary>C2SP tlog-cosignature (cosignature/v1, Ed25519, signature type 0x04) on our checkpoints.</summary>
public sealed class CosignatureTests
{
    private static readonly byte[] Root = Convert.FromBase64String("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
    private static readonly DateTimeOffset Time = DateTimeOffset.FromUnixTimeSeconds(1679315147);

    private static SignedCheckpoint Checkpoint()
    {
        var (signerKey, _) = NoteKeys.Generate("example.com/behind-the-sofa");
        return SignedCheckpoint.Sign(new Checkpoint("example.com/behind-the-sofa", 20852163, Root), NoteSigner.Parse(signerKey));
    }

    [Fact]
    public void A_witness_cosignature_verifies_and_carries_its_time()
    {
        var witness = Cosigner.Generate("witness.example.com/w1");
        var cosigned = SignedCheckpoint.Parse(witness.Cosign(Checkpoint(), Time), null);

        Assert.Equal(Time, witness.Verifier.Verify(cosigned));
    }

    [Fact]
    public void The_cosigned_message_is_the_header_the_time_line_and_the_checkpoint_body()
    {
        var witness = Cosigner.Generate("witness.example.com/w1");
        var checkpoint = Checkpoint();
        var note = witness.Cosign(checkpoint, Time);
        var line = note.TrimEnd('\n').Split('\n')[^1];
        var blob = Convert.FromBase64String(line[(line.LastIndexOf(' ') + 1)..]);
        var publicKey = Convert.FromBase64String(witness.Verifier.ToString().Split('+', 3)[2])[1..];

        // The layout of c2sp.org/tlog-cosignature, spelled out independently of the implementation.
        var message = Encoding.UTF8.GetBytes("cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");

        Assert.Equal(witness.KeyId, BinaryPrimitives.ReadUInt32BigEndian(blob));
        Assert.Equal(1679315147UL, BinaryPrimitives.ReadUInt64BigEndian(blob.AsSpan(4)));
        Assert.True(Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(blob, 12, publicKey, 0, message, 0, message.Length));
    }

    [Fact]
    public void A_cosignature_over_another_checkpoint_does_not_verify()
    {
        var witness = Cosigner.Generate("witness.example.com/w1");
        var note = witness.Cosign(Checkpoint(), Time);
        var forged = note.Replace("20852163", "20852162", StringComparison.Ordinal);

        Assert.Null(witness.Verifier.Verify(SignedCheckpoint.Parse(forged, null)));
    }

    [Fact]
    public void A_checkpoint_without_the_witness_cosignature_has_none()
    {
        var witness = Cosigner.Generate("witness.example.com/w1");
        var other = Cosigner.Generate("witness.example.com/w1");

        Assert.Null(witness.Verifier.Verify(SignedCheckpoint.Parse(other.Cosign(Checkpoint(), Time), null)));
    }

    [Fact]
    public void A_log_key_is_not_accepted_as_a_cosigner_key()
    {
        var (_, verifierKey) = NoteKeys.Generate("witness.example.com/w1");

        Assert.Throws<FormatException>(() => CosignatureVerifier.Parse(verifierKey));
    }

    [Fact]
    public void A_cosigned_checkpoint_still_opens_with_the_log_key()
    {
        var (signerKey, verifierKey) = NoteKeys.Generate("example.com/behind-the-sofa");
        var checkpoint = SignedCheckpoint.Sign(new Checkpoint("example.com/behind-the-sofa", 3, Root), NoteSigner.Parse(signerKey));
        var cosigned = Cosigner.Generate("witness.example.com/w1").Cosign(checkpoint, Time);

        Assert.Equal(3, SignedCheckpoint.Parse(cosigned, NoteVerifier.Parse(verifierKey)).Checkpoint.TreeSize);
    }
}
