using System.Buffers.Binary;
using System.Text;

namespace AuditGen.Integrity.Checkpoints;

/// <summary>One signature line of a note: <c>— &lt;name&gt; &lt;base64(4-byte key id ‖ signature)&gt;</c>.</summary>
/// <param name="Name">The signing key's name.</param>
/// <param name="KeyId">The signing key's id.</param>
/// <param name="Signature">The signature bytes (64 for Ed25519).</param>
public sealed record NoteSignature(string Name, uint KeyId, byte[] Signature);

/// <summary>
/// A C2SP signed note (the format of golang.org/x/mod <c>sumdb/note</c>): UTF-8 text ending in a newline, a blank line,
/// then one or more lines <c>— &lt;name&gt; &lt;base64(key id ‖ signature)&gt;</c>, each signing exactly the text bytes.
/// </summary>
public sealed class SignedNote
{
    private const string SignaturePrefix = "\u2014 "; // em dash, space
    private const int MaxSignatures = 100;

    private SignedNote(string text, IReadOnlyList<NoteSignature> signatures)
    {
        Text = text;
        Signatures = signatures;
    }

    /// <summary>The signed text (ends with a newline).</summary>
    public string Text { get; }

    /// <summary>Every signature line, verified or not.</summary>
    public IReadOnlyList<NoteSignature> Signatures { get; }

    /// <summary>Signs <paramref name="text"/> with each signer and returns the whole note text.</summary>
    /// <exception cref="FormatException">The text is not valid note text (empty, no final newline, control characters).</exception>
    public static string Sign(string text, params NoteSigner[] signers)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (signers is null || signers.Length == 0)
            throw new ArgumentException("At least one signer is needed.", nameof(signers));
        CheckText(text);
        var message = Encoding.UTF8.GetBytes(text);
        var note = new StringBuilder(text).Append('\n');
        foreach (var signer in signers)
        {
            var signature = signer.Sign(message);
            var blob = new byte[4 + signature.Length];
            BinaryPrimitives.WriteUInt32BigEndian(blob, signer.KeyId);
            signature.CopyTo(blob, 4);
            note.Append(SignaturePrefix).Append(signer.Name).Append(' ').Append(Convert.ToBase64String(blob)).Append('\n');
        }
        return note.ToString();
    }

    /// <summary>Parses a note without checking signatures.</summary>
    /// <exception cref="FormatException">The note is malformed.</exception>
    public static SignedNote Parse(string note)
    {
        ArgumentNullException.ThrowIfNull(note);
        if (!note.EndsWith('\n'))
            throw new FormatException("Malformed note: it does not end with a newline.");
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
            throw new FormatException("Malformed note: no blank line separates the text from the signatures.");
        var text = note[..(split + 1)];
        CheckText(text);
        var lines = note[(split + 2)..^1].Split('\n');
        if (lines.Length > MaxSignatures)
            throw new FormatException($"Malformed note: more than {MaxSignatures} signatures.");
        var signatures = new List<NoteSignature>(lines.Length);
        foreach (var line in lines)
        {
            if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal))
                throw new FormatException($"Malformed note: signature line '{line}' does not start with '— '.");
            var rest = line[SignaturePrefix.Length..];
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || rest.IndexOf(' ', space + 1) >= 0)
                throw new FormatException($"Malformed note: signature line '{line}' is not '— <name> <signature>'.");
            var name = rest[..space];
            if (!NoteKeys.IsValidName(name))
                throw new FormatException($"Malformed note: '{name}' is not a valid key name.");
            byte[] blob;
            try
            {
                blob = Convert.FromBase64String(rest[(space + 1)..]);
            }
            catch (FormatException)
            {
                throw new FormatException($"Malformed note: the signature of '{name}' is not valid base64.");
            }
            if (blob.Length < 5)
                throw new FormatException($"Malformed note: the signature of '{name}' is too short.");
            signatures.Add(new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(blob), blob[4..]));
        }
        return new SignedNote(text, signatures);
    }

    /// <summary>
    /// Parses a note and checks it carries a valid signature by <paramref name="verifier"/>; signatures by other keys are
    /// kept but not trusted (they are not an error).
    /// </summary>
    /// <exception cref="FormatException">The note is malformed.</exception>
    /// <exception cref="SignedNoteException">No signature by <paramref name="verifier"/>, or it does not verify.</exception>
    public static SignedNote Open(string note, NoteVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        var parsed = Parse(note);
        var message = Encoding.UTF8.GetBytes(parsed.Text);
        var candidates = parsed.Signatures.Where(s => s.Name == verifier.Name && s.KeyId == verifier.KeyId).ToList();
        if (candidates.Count == 0)
            throw new SignedNoteException($"The note carries no signature by key '{verifier.Name}' ({verifier.KeyId:x8}); signed by: " +
                (parsed.Signatures.Count == 0 ? "nobody" : string.Join(", ", parsed.Signatures.Select(s => $"{s.Name} ({s.KeyId:x8})"))) + ".");
        // C2SP: a signature by a known key that fails to verify rejects the whole note.
        if (!candidates.All(s => verifier.Verify(message, s.Signature)))
            throw new SignedNoteException($"The note's signature by key '{verifier.Name}' ({verifier.KeyId:x8}) does not verify: the text or the signature was altered.");
        return parsed;
    }

    private static void CheckText(string text)
    {
        if (text.Length == 0 || !text.EndsWith('\n'))
            throw new FormatException("Malformed note: the text must be non-empty and end with a newline.");
        foreach (var c in text)
            if (c < 0x20 && c != '\n' || c == 0x7F)
                throw new FormatException("Malformed note: the text contains a control character.");
    }
}

/// <summary>A signed note (a checkpoint) is not signed by the expected key, or its signature does not verify.</summary>
public sealed class SignedNoteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SignedNoteException(string message) : base(message) { }
}
