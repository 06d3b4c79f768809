using System.Globalization;
using System.Text;

namespace AuditGen.Integrity.Checkpoints;

/// <summary>
/// A C2SP <c>tlog-checkpoint</c> body: the log's origin line, the tree size in decimal, the base64 root hash, then any
/// extension lines, each ending in a newline. Signed, it says "this log held exactly these <see cref="TreeSize"/> records".
/// </summary>
public sealed record Checkpoint
{
    /// <summary>Creates a checkpoint.</summary>
    /// <exception cref="ArgumentException">The origin is empty or has a newline, the size is negative, or the root is not 32 bytes.</exception>
    public Checkpoint(string origin, long treeSize, byte[] rootHash, IReadOnlyList<string>? extensions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        if (origin.Contains('\n', StringComparison.Ordinal))
            throw new ArgumentException("The origin must be one line.", nameof(origin));
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        ArgumentNullException.ThrowIfNull(rootHash);
        if (rootHash.Length != MerkleProof.HashSize)
            throw new ArgumentException("The root hash is 32 bytes.", nameof(rootHash));
        Origin = origin;
        TreeSize = treeSize;
        RootHash = rootHash;
        Extensions = extensions ?? [];
    }

    /// <summary>The log's identity (conventionally also the signing key's name).</summary>
    public string Origin { get; }

    /// <summary>How many records the tree holds.</summary>
    public long TreeSize { get; }

    /// <summary>The RFC 6962 root hash of those records' leaves.</summary>
    public byte[] RootHash { get; }

    /// <summary>Extension lines after the root (opaque here).</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>The root hash as lower-case hex, as hashes appear elsewhere in AuditGen.</summary>
    public string RootHex => HashHex.Encode(RootHash);

    /// <summary>The checkpoint body, the text a signed note signs.</summary>
    public string ToBody()
    {
        var body = new StringBuilder()
            .Append(Origin).Append('\n')
            .Append(TreeSize.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(Convert.ToBase64String(RootHash)).Append('\n');
        foreach (var extension in Extensions)
            body.Append(extension).Append('\n');
        return body.ToString();
    }

    /// <summary>Parses a checkpoint body.</summary>
    /// <exception cref="FormatException">The body is not a tlog-checkpoint.</exception>
    public static Checkpoint Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!body.EndsWith('\n'))
            throw new FormatException("Malformed checkpoint: the body does not end with a newline.");
        var lines = body[..^1].Split('\n');
        if (lines.Length < 3)
            throw new FormatException("Malformed checkpoint: it needs an origin line, a tree size line and a root hash line.");
        if (lines[0].Length == 0)
            throw new FormatException("Malformed checkpoint: the origin line is empty.");
        var size = lines[1];
        if (size.Length == 0 || size.Length > 1 && size[0] == '0' || !size.All(char.IsAsciiDigit)
            || !long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var treeSize))
            throw new FormatException($"Malformed checkpoint: tree size '{size}' is not a decimal number without leading zeros.");
        byte[] root;
        try
        {
            root = Convert.FromBase64String(lines[2]);
        }
        catch (FormatException)
        {
            throw new FormatException("Malformed checkpoint: the root hash is not valid base64.");
        }
        if (root.Length != MerkleProof.HashSize)
            throw new FormatException($"Malformed checkpoint: the root hash is {root.Length} bytes, not 32.");
        if (lines.Skip(3).Any(l => l.Length == 0))
            throw new FormatException("Malformed checkpoint: an extension line is empty.");
        return new Checkpoint(lines[0], treeSize, root, lines[3..]);
    }
}

/// <summary>A checkpoint with the signed note that carries it.</summary>
/// <param name="Checkpoint">The parsed body.</param>
/// <param name="NoteText">The whole signed note, byte for byte as signed and exported.</param>
/// <param name="SignedBy">The key whose signature was checked, or <see langword="null"/> when it was read without a key.</param>
public sealed record SignedCheckpoint(Checkpoint Checkpoint, string NoteText, NoteVerifier? SignedBy)
{
    /// <summary>Whether the signature was verified (a key was given and it matched).</summary>
    public bool IsSignatureVerified => SignedBy is not null;

    /// <summary>Signs <paramref name="checkpoint"/> with <paramref name="signer"/>.</summary>
    public static SignedCheckpoint Sign(Checkpoint checkpoint, NoteSigner signer)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(signer);
        return new SignedCheckpoint(checkpoint, SignedNote.Sign(checkpoint.ToBody(), signer), signer.Verifier);
    }

    /// <summary>
    /// Reads a signed checkpoint. With <paramref name="verifier"/>, its signature must verify; without, the checkpoint is
    /// parsed but not trusted.
    /// </summary>
    /// <exception cref="FormatException">The note or the checkpoint body is malformed.</exception>
    /// <exception cref="SignedNoteException">The signature is missing or does not verify.</exception>
    public static SignedCheckpoint Parse(string noteText, NoteVerifier? verifier)
    {
        var note = verifier is null ? SignedNote.Parse(noteText) : SignedNote.Open(noteText, verifier);
        return new SignedCheckpoint(Checkpoint.Parse(note.Text), noteText, verifier);
    }
}
