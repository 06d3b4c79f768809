using System.Text.Json;
using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Tests.Integrity.Checkpoints;

/// <summary>
/// The signed-note format against public known answers: golang.org/x/mod sumdb/note note_test.go (commit fe2ec04,
/// TestVectors/signed-note/golang-note.json) and the example note of the C2SP signed-note specification
/// (c2sp.org/signed-note, "quasimodo.example/salvatore").
/// </summary>
public sealed class SignedNoteTests
{
    private static readonly JsonElement Golang = JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "TestVectors", "signed-note", "golang-note.json"))).RootElement;

    private static string Vector(string name) => Golang.GetProperty(name).GetString()!;

    private static string VerifierKey(string name) => Golang.GetProperty("verifierKeys").GetProperty(name).GetString()!;

    private static string SignatureLine(string name) => Golang.GetProperty("signatureLines").GetProperty(name).GetString()!;

    [Fact]
    public void Signing_the_sumdb_text_with_the_sumdb_key_gives_the_published_note_byte_for_byte()
    {
        var signer = NoteSigner.Parse(Vector("signerKey"));

        var note = SignedNote.Sign(Vector("text"), signer);

        Assert.Equal(Vector("expectSignedByPeter"), note);
    }

    [Fact]
    public void The_sumdb_signer_key_derives_the_published_verifier_key_and_key_id()
    {
        var signer = NoteSigner.Parse(Vector("signerKey"));

        Assert.Equal(VerifierKey("PeterNeumann"), signer.Verifier.ToString());
        Assert.Equal(0xc74f20a3u, signer.KeyId);
        Assert.Equal(0xaf0cfe78u, NoteVerifier.Parse(VerifierKey("EnochRoot")).KeyId);
    }

    [Fact]
    public void A_note_signed_by_two_keys_opens_with_either_key_alone()
    {
        var note = Vector("text") + "\n" + SignatureLine("PeterNeumann") + SignatureLine("EnochRoot");

        var byPeter = SignedNote.Open(note, NoteVerifier.Parse(VerifierKey("PeterNeumann")));
        var byEnoch = SignedNote.Open(note, NoteVerifier.Parse(VerifierKey("EnochRoot")));

        Assert.Equal(Vector("text"), byPeter.Text);
        Assert.Equal(2, byPeter.Signatures.Count);
        Assert.Equal(Vector("text"), byEnoch.Text);
    }

    [Fact]
    public void A_note_with_an_altered_text_is_refused()
    {
        var note = Vector("expectSignedByPeter").Replace("cryptography", "cryptographi", StringComparison.Ordinal);

        var error = Assert.Throws<SignedNoteException>(() => SignedNote.Open(note, NoteVerifier.Parse(VerifierKey("PeterNeumann"))));

        Assert.Contains("does not verify", error.Message);
    }

    [Fact]
    public void A_note_not_signed_by_the_expected_key_is_refused_naming_who_signed_it()
    {
        var error = Assert.Throws<SignedNoteException>(() =>
            SignedNote.Open(Vector("expectSignedByPeter"), NoteVerifier.Parse(VerifierKey("EnochRoot"))));

        Assert.Contains("PeterNeumann (c74f20a3)", error.Message);
    }

    [Theory]
    [InlineData("PeterNeumannX+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")] // changed name
    [InlineData("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")] // changed key id
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10")]   // truncated key
    [InlineData("PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")] // algorithm byte 0x02
    [InlineData("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")] // space in the name
    [InlineData("PeterNeumann+c74f20a3")]                                               // no key
    public void A_malformed_verifier_key_is_refused(string key)
    {
        Assert.Throws<FormatException>(() => NoteVerifier.Parse(key));
    }

    [Theory]
    [InlineData("PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")] // changed key id
    [InlineData("PRIVATE+KEY+PeterNeumannX+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")] // changed name
    [InlineData("PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")]             // no PRIVATE+KEY prefix
    [InlineData("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUv")]       // truncated seed
    public void A_malformed_signer_key_is_refused(string key)
    {
        Assert.Throws<FormatException>(() => NoteSigner.Parse(key));
    }

    [Fact]
    public void The_c2sp_example_note_parses_into_its_text_and_signature_exactly()
    {
        // c2sp.org/signed-note: the example's text contains a blank line; the signatures start after the last one.
        const string text = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n";
        const string signature = "NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=";
        var note = text + "\n\u2014 quasimodo.example/salvatore " + signature + "\n";

        var parsed = SignedNote.Parse(note);

        Assert.Equal(text, parsed.Text);
        var line = Assert.Single(parsed.Signatures);
        Assert.Equal("quasimodo.example/salvatore", line.Name);
        Assert.Equal(Convert.FromBase64String(signature)[..4], BitConverter.GetBytes(line.KeyId).Reverse().ToArray());
        Assert.Equal(64, line.Signature.Length);
    }

    [Fact]
    public void Generated_keys_sign_notes_their_verifier_key_opens()
    {
        var (signerKey, verifierKey) = NoteKeys.Generate("audit.example/clinic");

        var note = SignedNote.Sign("hello\n", NoteSigner.Parse(signerKey));

        Assert.Equal("hello\n", SignedNote.Open(note, NoteVerifier.Parse(verifierKey)).Text);
        Assert.StartsWith("PRIVATE+KEY+audit.example/clinic+", signerKey);
    }

    [Theory]
    [InlineData("no final newline")]
    [InlineData("text\n\n\u2014 name AAAA\n")] // signature too short
    [InlineData("text\n\u2014 name AAAAAAAA\n")] // no blank line
    [InlineData("text\n\n- name AAAAAAAAAAAA\n")] // hyphen, not em dash
    public void A_malformed_note_is_refused(string note)
    {
        Assert.Throws<FormatException>(() => SignedNote.Parse(note));
    }
}
