using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Tests.Integrity.Checkpoints;

public sealed class CheckpointFormatTests
{
    private static readonly byte[] Root = Convert.FromBase64String("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=");

    [Fact]
    public void A_checkpoint_body_is_origin_size_and_base64_root_each_on_a_line()
    {
        var body = new Checkpoint("audit.example/clinic", 8, Root).ToBody();

        Assert.Equal("audit.example/clinic\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", body);
    }

    [Fact]
    public void A_checkpoint_body_round_trips_with_extension_lines()
    {
        var checkpoint = Checkpoint.Parse("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\nextra one\n");

        Assert.Equal(8, checkpoint.TreeSize);
        Assert.Equal(["extra one"], checkpoint.Extensions);
        Assert.Equal("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\nextra one\n", checkpoint.ToBody());
    }

    [Theory]
    [InlineData("o\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n")] // leading zero
    [InlineData("o\n-8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n")] // sign
    [InlineData("o\n8\nXcnaeacGWamtVZy3Ad7Zoqud\n")]                       // short root
    [InlineData("o\n8\n")]                                                 // no root
    [InlineData("\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n")]   // empty origin
    [InlineData("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=")]    // no final newline
    public void A_malformed_checkpoint_body_is_refused(string body)
    {
        Assert.Throws<FormatException>(() => Checkpoint.Parse(body));
    }

    [Fact]
    public void A_signed_checkpoint_opens_with_its_key_and_not_with_another()
    {
        var (signerKey, verifierKey) = NoteKeys.Generate("audit.example/clinic");
        var (_, otherKey) = NoteKeys.Generate("audit.example/clinic");
        var signed = SignedCheckpoint.Sign(new Checkpoint("audit.example/clinic", 3, Root), NoteSigner.Parse(signerKey));

        var opened = SignedCheckpoint.Parse(signed.NoteText, NoteVerifier.Parse(verifierKey));

        Assert.Equal(3, opened.Checkpoint.TreeSize);
        Assert.True(opened.IsSignatureVerified);
        Assert.Throws<SignedNoteException>(() => SignedCheckpoint.Parse(signed.NoteText, NoteVerifier.Parse(otherKey)));
    }
}
