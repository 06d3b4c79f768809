using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace AuditGen.Integrity.Checkpoints;

/// <summary>
/// A witness's Ed25519 <c>cosignature/v1</c> key (C2SP tlog-cosignature, signature type 0x04):
/// <c>&lt;name&gt;+&lt;hex id&gt;+&lt;base64(0x04 ‖ public key)&gt;</c>, key id = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4]. A
/// cosignature says "as of this time, this is the largest consistent tree I have seen for this origin": a log that shows
/// one auditor a truncated or swapped trail cannot also get it cosigned by witnesses that saw the real one.
/// </summary>
public sealed class CosignatureVerifier
{
    /// <summary>The cosignature signature type byte.</summary>
    public const byte AlgorithmCosignatureV1 = 0x04;

    private readonly byte[] _publicKey;

    private CosignatureVerifier(string name, uint keyId, byte[] publicKey)
    {
        Name = name;
        KeyId = keyId;
        _publicKey = publicKey;
    }

    /// <summary>The witness's name.</summary>
    public string Name { get; }

    /// <summary>The key id.</summary>
    public uint KeyId { get; }

    /// <summary>Parses a cosigner verifier key, checking its key id.</summary>
    /// <exception cref="FormatException">The text is not a cosignature/v1 verifier key.</exception>
    public static CosignatureVerifier Parse(string verifierKey)
    {
        ArgumentNullException.ThrowIfNull(verifierKey);
        var (name, id, key) = NoteKeys.ParseParts(verifierKey.Trim(), "cosigner key", Ed25519.PublicKeySize, AlgorithmCosignatureV1);
        if (NoteKeys.KeyId(name, key, AlgorithmCosignatureV1) != id)
            throw new FormatException($"Malformed cosigner key: key id {id:x8} does not match the name '{name}' and the key.");
        return new CosignatureVerifier(name, id, key);
    }

    /// <summary>
    /// The time of this witness's valid cosignature on <paramref name="checkpoint"/>, or <see langword="null"/> when the
    /// note carries none (or only invalid ones) by this witness.
    /// </summary>
    public DateTimeOffset? Verify(SignedCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var note = SignedNote.Parse(checkpoint.NoteText);
        foreach (var signature in note.Signatures)
        {
            if (signature.Name != Name || signature.KeyId != KeyId || signature.Signature.Length != 8 + Ed25519.SignatureSize)
                continue;
            var timestamp = BinaryPrimitives.ReadUInt64BigEndian(signature.Signature);
            if (timestamp > long.MaxValue)
                continue;
            var message = Cosigner.Message(note.Text, timestamp);
            if (Ed25519.Verify(signature.Signature, 8, _publicKey, 0, message, 0, message.Length))
                return DateTimeOffset.FromUnixTimeSeconds((long)timestamp);
        }
        return null;
    }

    /// <summary>The key in its text form.</summary>
    public override string ToString() =>
        $"{Name}+{KeyId.ToString("x8", CultureInfo.InvariantCulture)}+{Convert.ToBase64String([AlgorithmCosignatureV1, .. _publicKey])}";
}

/// <summary>A witness's Ed25519 cosigning key (<c>PRIVATE+KEY+name+id+base64(0x04 ‖ seed)</c>): for running a witness and for tests.</summary>
public sealed class Cosigner
{
    private readonly byte[] _seed;

    private Cosigner(string name, byte[] seed)
    {
        _seed = seed;
        var publicKey = new byte[Ed25519.PublicKeySize];
        Ed25519.GeneratePublicKey(seed, 0, publicKey, 0);
        var id = NoteKeys.KeyId(name, publicKey, CosignatureVerifier.AlgorithmCosignatureV1);
        Name = name;
        KeyId = id;
        Verifier = CosignatureVerifier.Parse($"{name}+{id.ToString("x8", CultureInfo.InvariantCulture)}+{Convert.ToBase64String([CosignatureVerifier.AlgorithmCosignatureV1, .. publicKey])}");
    }

    /// <summary>The witness's name.</summary>
    public string Name { get; }

    /// <summary>The key id.</summary>
    public uint KeyId { get; }

    /// <summary>The matching verifier key.</summary>
    public CosignatureVerifier Verifier { get; }

    /// <summary>A fresh cosigner named <paramref name="name"/>.</summary>
    public static Cosigner Generate(string name)
    {
        NoteKeys.CheckName(name);
        return new Cosigner(name, RandomNumberGenerator.GetBytes(Ed25519.SecretKeySize));
    }

    /// <summary>Parses a cosigner signer key, checking its key id.</summary>
    /// <exception cref="FormatException">The text is not a cosigner key.</exception>
    public static Cosigner Parse(string signerKey)
    {
        ArgumentNullException.ThrowIfNull(signerKey);
        var text = signerKey.Trim();
        if (!text.StartsWith("PRIVATE+KEY+", StringComparison.Ordinal))
            throw new FormatException("Malformed cosigner key: it must start with 'PRIVATE+KEY+'.");
        var (name, id, seed) = NoteKeys.ParseParts(text["PRIVATE+KEY+".Length..], "cosigner key", Ed25519.SecretKeySize, CosignatureVerifier.AlgorithmCosignatureV1);
        var cosigner = new Cosigner(name, seed);
        if (cosigner.KeyId != id)
            throw new FormatException($"Malformed cosigner key: key id {id:x8} does not match the name '{name}' and the key.");
        return cosigner;
    }

    /// <summary>The note of <paramref name="checkpoint"/> with this witness's cosignature at <paramref name="time"/> added.</summary>
    public string Cosign(SignedCheckpoint checkpoint, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var note = SignedNote.Parse(checkpoint.NoteText);
        var timestamp = (ulong)time.ToUnixTimeSeconds();
        var message = Message(note.Text, timestamp);
        var blob = new byte[4 + 8 + Ed25519.SignatureSize];
        BinaryPrimitives.WriteUInt32BigEndian(blob, KeyId);
        BinaryPrimitives.WriteUInt64BigEndian(blob.AsSpan(4), timestamp);
        Ed25519.Sign(_seed, 0, message, 0, message.Length, blob, 12);
        return checkpoint.NoteText + "\u2014 " + Name + " " + Convert.ToBase64String(blob) + "\n";
    }

    // "cosignature/v1\ntime <seconds>\n" followed by the checkpoint body (the note text).
    internal static byte[] Message(string body, ulong timestamp) =>
        Encoding.UTF8.GetBytes($"cosignature/v1\ntime {timestamp.ToString(CultureInfo.InvariantCulture)}\n{body}");
}
