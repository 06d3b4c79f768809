using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace AuditGen.Integrity.Checkpoints;

/// <summary>
/// Ed25519 keys in the text forms of golang.org/x/mod <c>sumdb/note</c> (C2SP signed-note): a verifier key
/// <c>&lt;name&gt;+&lt;hex key id&gt;+&lt;base64(0x01 ‖ public key)&gt;</c> and a signer key
/// <c>PRIVATE+KEY+&lt;name&gt;+&lt;hex key id&gt;+&lt;base64(0x01 ‖ 32-byte seed)&gt;</c>. The key id is the first four bytes
/// (big-endian) of <c>SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)</c>.
/// </summary>
public static class NoteKeys
{
    /// <summary>The signature algorithm byte for Ed25519.</summary>
    public const byte AlgorithmEd25519 = 0x01;

    /// <summary>Creates a fresh Ed25519 signer key for <paramref name="name"/> and its verifier key, in their text forms.</summary>
    /// <exception cref="FormatException">The name is empty, contains whitespace or '+'.</exception>
    public static (string SignerKey, string VerifierKey) Generate(string name)
    {
        CheckName(name);
        var seed = RandomNumberGenerator.GetBytes(Ed25519.SecretKeySize);
        try
        {
            var publicKey = new byte[Ed25519.PublicKeySize];
            Ed25519.GeneratePublicKey(seed, 0, publicKey, 0);
            var id = KeyId(name, publicKey).ToString("x8", CultureInfo.InvariantCulture);
            return ($"PRIVATE+KEY+{name}+{id}+{Convert.ToBase64String([AlgorithmEd25519, .. seed])}",
                    $"{name}+{id}+{Convert.ToBase64String([AlgorithmEd25519, .. publicKey])}");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The key id of an Ed25519 <paramref name="publicKey"/> named <paramref name="name"/>.</summary>
    public static uint KeyId(string name, ReadOnlySpan<byte> publicKey)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[nameBytes.Length + 2 + publicKey.Length];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = 0x0A;
        input[nameBytes.Length + 1] = AlgorithmEd25519;
        publicKey.CopyTo(input.AsSpan(nameBytes.Length + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }

    /// <summary>Whether <paramref name="name"/> is a valid key name: non-empty, no Unicode whitespace, no '+'.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && !name.Contains('+', StringComparison.Ordinal) && !name.Any(char.IsWhiteSpace) && IsWellFormed(name);

    internal static void CheckName(string name)
    {
        if (!IsValidName(name))
            throw new FormatException($"'{name}' is not a valid note key name: it must be non-empty, without whitespace or '+'.");
    }

    // Splits "a+b+c" forms and checks name, hex id and the algorithm-prefixed base64 key.
    internal static (string Name, uint Id, byte[] Key) ParseParts(string text, string what, int keyLength)
    {
        var parts = text.Split('+', 3); // base64 may contain '+'; the name and the id cannot
        if (parts.Length != 3)
            throw new FormatException($"Malformed {what}: expected '<name>+<hex key id>+<base64 key>'.");
        var (name, hex, base64) = (parts[0], parts[1], parts[2]);
        if (!IsValidName(name))
            throw new FormatException($"Malformed {what}: '{name}' is not a valid key name.");
        if (hex.Length != 8 || !uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id) || hex != hex.ToLowerInvariant())
            throw new FormatException($"Malformed {what}: key id '{hex}' is not 8 lower-case hex digits.");
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new FormatException($"Malformed {what}: the key is not valid base64.");
        }
        if (key.Length != keyLength + 1)
            throw new FormatException($"Malformed {what}: the key is {key.Length} bytes, expected {keyLength + 1} (algorithm byte and key).");
        if (key[0] != AlgorithmEd25519)
            throw new FormatException($"Malformed {what}: unknown signature algorithm 0x{key[0]:x2} (only Ed25519, 0x01, is supported).");
        return (name, id, key[1..]);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private static bool IsWellFormed(string name)
    {
        try
        {
            _ = StrictUtf8.GetByteCount(name);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }
}

/// <summary>An Ed25519 note verifier key (<c>&lt;name&gt;+&lt;hex id&gt;+&lt;base64(0x01 ‖ public key)&gt;</c>).</summary>
public sealed class NoteVerifier
{
    private readonly byte[] _publicKey;

    private NoteVerifier(string name, uint keyId, byte[] publicKey)
    {
        Name = name;
        KeyId = keyId;
        _publicKey = publicKey;
    }

    /// <summary>The key's name (for a checkpoint signer, conventionally the log's origin).</summary>
    public string Name { get; }

    /// <summary>The key id (first four bytes of SHA-256 of name, newline, algorithm and key).</summary>
    public uint KeyId { get; }

    /// <summary>The 32-byte Ed25519 public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>Parses a verifier key and checks that its key id matches its name and key.</summary>
    /// <exception cref="FormatException">The text is not a valid Ed25519 verifier key.</exception>
    public static NoteVerifier Parse(string verifierKey)
    {
        ArgumentNullException.ThrowIfNull(verifierKey);
        var (name, id, key) = NoteKeys.ParseParts(verifierKey.Trim(), "verifier key", Ed25519.PublicKeySize);
        if (NoteKeys.KeyId(name, key) != id)
            throw new FormatException($"Malformed verifier key: key id {id:x8} does not match the name '{name}' and the key.");
        return new NoteVerifier(name, id, key);
    }

    /// <summary>Whether <paramref name="signature"/> (64 bytes) is this key's Ed25519 signature of <paramref name="message"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == Ed25519.SignatureSize && Ed25519.Verify(signature.ToArray(), 0, _publicKey, 0, message.ToArray(), 0, message.Length);

    /// <summary>The key in its text form.</summary>
    public override string ToString() =>
        $"{Name}+{KeyId.ToString("x8", CultureInfo.InvariantCulture)}+{Convert.ToBase64String([NoteKeys.AlgorithmEd25519, .. _publicKey])}";
}

/// <summary>An Ed25519 note signer key (<c>PRIVATE+KEY+&lt;name&gt;+&lt;hex id&gt;+&lt;base64(0x01 ‖ seed)&gt;</c>). Keep it secret.</summary>
public sealed class NoteSigner
{
    private const string Prefix = "PRIVATE+KEY+";
    private readonly byte[] _seed;

    private NoteSigner(string name, uint keyId, byte[] seed, byte[] publicKey)
    {
        Name = name;
        KeyId = keyId;
        _seed = seed;
        Verifier = NoteVerifier.Parse($"{name}+{keyId.ToString("x8", CultureInfo.InvariantCulture)}+{Convert.ToBase64String([NoteKeys.AlgorithmEd25519, .. publicKey])}");
    }

    /// <summary>The key's name.</summary>
    public string Name { get; }

    /// <summary>The key id.</summary>
    public uint KeyId { get; }

    /// <summary>The matching verifier key (publish this one).</summary>
    public NoteVerifier Verifier { get; }

    /// <summary>Parses a signer key and checks that its key id matches the name and the public key derived from it.</summary>
    /// <exception cref="FormatException">The text is not a valid Ed25519 signer key.</exception>
    public static NoteSigner Parse(string signerKey)
    {
        ArgumentNullException.ThrowIfNull(signerKey);
        var text = signerKey.Trim();
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
            throw new FormatException("Malformed signer key: it must start with 'PRIVATE+KEY+'.");
        var (name, id, seed) = NoteKeys.ParseParts(text[Prefix.Length..], "signer key", Ed25519.SecretKeySize);
        var publicKey = new byte[Ed25519.PublicKeySize];
        Ed25519.GeneratePublicKey(seed, 0, publicKey, 0);
        if (NoteKeys.KeyId(name, publicKey) != id)
            throw new FormatException($"Malformed signer key: key id {id:x8} does not match the name '{name}' and the key.");
        return new NoteSigner(name, id, seed, publicKey);
    }

    /// <summary>Reads a signer key from a file (its only content, surrounding whitespace ignored).</summary>
    /// <exception cref="FormatException">The file does not hold a valid signer key.</exception>
    public static NoteSigner Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (FormatException e)
        {
            throw new FormatException($"The signing key file '{path}' does not hold a valid key: {e.Message}", e);
        }
    }

    /// <summary>The 64-byte Ed25519 signature of <paramref name="message"/> (deterministic).</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[Ed25519.SignatureSize];
        Ed25519.Sign(_seed, 0, message.ToArray(), 0, message.Length, signature, 0);
        return signature;
    }
}
