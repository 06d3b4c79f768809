using System.Security.Cryptography;
using System.Text;

namespace AuditGen.Erasure;

/// <summary>
/// Everything derived from the commitment key <c>kc</c> (DESIGN.md §7): the commitment
/// <c>C = HMAC-SHA256(kc, opening ‖ canonical payload)</c>, the subject pseudonym (HMAC-SHA256 under a key derived from
/// <c>kc</c>), and each subject key, derived from the random seed in the vault's key slot and a key derived from
/// <c>kc</c>. Erasing a subject zeroes its seed: without it no key derivation reaches the subject's payloads, with or
/// without <c>kc</c>.
/// </summary>
internal sealed class SealingKeys
{
    /// <summary>Bytes of the random opening each commitment is salted with.</summary>
    public const int OpeningLength = 32;

    /// <summary>Bytes of a commitment, a pseudonym, a seed and a key.</summary>
    public const int Length = 32;

    private static readonly byte[] Salt = "auditgen:vault:v1"u8.ToArray();

    private readonly byte[] _source;
    private readonly byte[] _commitmentKey;
    private readonly byte[] _pseudonymKey;
    private readonly byte[] _keyDerivationSalt;

    public SealingKeys(byte[] commitmentKey)
    {
        _source = commitmentKey;
        _commitmentKey = commitmentKey.ToArray();
        var root = HKDF.Extract(HashAlgorithmName.SHA256, commitmentKey, Salt);
        _pseudonymKey = HKDF.Expand(HashAlgorithmName.SHA256, root, Length, "subject-pseudonym"u8.ToArray());
        _keyDerivationSalt = HKDF.Expand(HashAlgorithmName.SHA256, root, Length, "subject-key-salt"u8.ToArray());
        CryptographicOperations.ZeroMemory(root);
    }

    /// <summary>Whether these keys were built from exactly this array.</summary>
    public bool IsFor(byte[]? commitmentKey) => ReferenceEquals(_source, commitmentKey);

    // One HMAC context per thread and key, as in KeyedHmacRedactor: creating one per value costs far more than the MAC
    // (measured: most of a sealed call's time went to context set-up).
    [ThreadStatic] private static IncrementalHash? t_commit;
    [ThreadStatic] private static SealingKeys? t_commitOwner;
    [ThreadStatic] private static IncrementalHash? t_pseudonym;
    [ThreadStatic] private static SealingKeys? t_pseudonymOwner;

    /// <summary><c>HMAC-SHA256(kc, opening ‖ payload)</c>.</summary>
    public void Commit(ReadOnlySpan<byte> opening, ReadOnlySpan<byte> payload, Span<byte> commitment)
    {
        var hmac = t_commit;
        if (hmac is null || !ReferenceEquals(t_commitOwner, this))
        {
            hmac?.Dispose();
            t_commit = hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _commitmentKey);
            t_commitOwner = this;
        }
        hmac.AppendData(opening);
        hmac.AppendData(payload);
        hmac.GetHashAndReset(commitment);
    }

    /// <summary>Whether <paramref name="commitment"/> commits to <paramref name="opening"/> and <paramref name="payload"/> (constant time).</summary>
    public bool Opens(ReadOnlySpan<byte> commitment, ReadOnlySpan<byte> opening, ReadOnlySpan<byte> payload)
    {
        Span<byte> expected = stackalloc byte[Length];
        Commit(opening, payload, expected);
        return CryptographicOperations.FixedTimeEquals(expected, commitment);
    }

    /// <summary>The subject's keyed pseudonym: the only form of the subject id the vault and the records hold.</summary>
    public byte[] Pseudonym(string subjectId)
    {
        var utf8 = Encoding.UTF8.GetBytes(subjectId);
        try
        {
            var hmac = t_pseudonym;
            if (hmac is null || !ReferenceEquals(t_pseudonymOwner, this))
            {
                hmac?.Dispose();
                t_pseudonym = hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _pseudonymKey);
                t_pseudonymOwner = this;
            }
            hmac.AppendData(utf8);
            return hmac.GetHashAndReset();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(utf8);
        }
    }

    /// <summary>The AES-256 key of one record's sealed values under the subject key of <paramref name="seed"/>.</summary>
    /// <remarks>
    /// One key per record, and the value's index as the nonce: a (key, nonce) pair can only repeat if a record id does,
    /// so no nonce is ever reused under a key, whatever the number of values sealed for one subject.
    /// </remarks>
    public byte[] RecordKey(ReadOnlySpan<byte> seed, long keyNumber, Guid recordId)
    {
        Span<byte> info = stackalloc byte[11 + 8 + 16];
        "record-key:"u8.CopyTo(info);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(info[11..], keyNumber);
        recordId.TryWriteBytes(info[19..], bigEndian: true, out _);
        var subjectKey = new byte[Length];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, seed, subjectKey, _keyDerivationSalt, "subject-key"u8);
            var recordKey = new byte[Length];
            HKDF.Expand(HashAlgorithmName.SHA256, subjectKey, recordKey, info);
            return recordKey;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(subjectKey);
        }
    }
}
