using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AuditGen.Erasure;

/// <summary>
/// AES-256-GCM for sealed values. The key is the record key (<see cref="SealingKeys.RecordKey"/>: one per record under
/// the subject key), the nonce the value's index in the record, the plaintext <c>opening ‖ canonical payload</c>, and
/// the associated data binds the key number, the record id, the subject pseudonym, the commitment and the index: a
/// payload moved to another record, subject or value fails authentication.
/// </summary>
internal static class SealCrypto
{
    private const int NonceLength = 12;
    private static ReadOnlySpan<byte> Label => "auditgen:vault:v1"u8;

    /// <summary>Encrypts <paramref name="value"/> for record <paramref name="recordId"/>.</summary>
    public static VaultFrame Seal(SealingKeys keys, VaultKey key, Guid recordId, SealedValue value)
    {
        var recordKey = keys.RecordKey(key.Seed ?? throw new InvalidOperationException($"Key {key.KeyNumber} is erased."), key.KeyNumber, recordId);
        var plaintext = new byte[SealingKeys.OpeningLength + value.Payload.Length];
        try
        {
            value.Opening.CopyTo(plaintext, 0);
            value.Payload.CopyTo(plaintext, SealingKeys.OpeningLength);
            var ciphertext = new byte[plaintext.Length];
            var tag = new byte[VaultFiles.TagLength];
            using var aes = new AesGcm(recordKey, VaultFiles.TagLength);
            aes.Encrypt(Nonce(value.Index), plaintext, ciphertext, tag, AssociatedData(key.KeyNumber, recordId, key.Pseudonym, value.Commitment, value.Index));
            return new VaultFrame(key.KeyNumber, recordId, value.Index, value.Commitment, tag, ciphertext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(recordKey);
        }
    }

    /// <summary>Decrypts <paramref name="frame"/> and checks it against the commitment; returns the canonical payload.</summary>
    /// <exception cref="SealedContentTamperedException">Authentication fails, or the payload does not open the commitment.</exception>
    public static byte[] Open(SealingKeys keys, VaultKey key, VaultFrame frame, AuditRecord record, string path)
    {
        var recordKey = keys.RecordKey(key.Seed!, key.KeyNumber, frame.RecordId);
        var plaintext = new byte[frame.Ciphertext.Length];
        try
        {
            using (var aes = new AesGcm(recordKey, VaultFiles.TagLength))
            {
                try
                {
                    aes.Decrypt(Nonce(frame.Index), frame.Ciphertext, frame.Tag, plaintext, AssociatedData(key.KeyNumber, frame.RecordId, key.Pseudonym, frame.Commitment, frame.Index));
                }
                catch (AuthenticationTagMismatchException e)
                {
                    throw new SealedContentTamperedException(record.Sequence, path, SealedContentProblem.AuthenticationFailed,
                        $"The sealed value '{path}' of record {record.Sequence} fails AES-GCM authentication: its vault payload was altered or moved.", e);
                }
            }

            if (plaintext.Length < SealingKeys.OpeningLength
                || !keys.Opens(frame.Commitment, plaintext.AsSpan(0, SealingKeys.OpeningLength), plaintext.AsSpan(SealingKeys.OpeningLength)))
                throw new SealedContentTamperedException(record.Sequence, path, SealedContentProblem.CommitmentMismatch,
                    $"The sealed value '{path}' of record {record.Sequence} does not open the commitment in the record: the vault payload is not the one recorded.");
            return plaintext.AsSpan(SealingKeys.OpeningLength).ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            CryptographicOperations.ZeroMemory(recordKey);
        }
    }

    private static byte[] Nonce(int index)
    {
        var nonce = new byte[NonceLength];
        BinaryPrimitives.WriteInt32BigEndian(nonce.AsSpan(NonceLength - 4), index);
        return nonce;
    }

    private static byte[] AssociatedData(long keyNumber, Guid recordId, byte[] pseudonym, byte[] commitment, int index)
    {
        var data = new byte[Label.Length + 8 + 16 + SealingKeys.Length + SealingKeys.Length + 4];
        var span = data.AsSpan();
        Label.CopyTo(span);
        span = span[Label.Length..];
        BinaryPrimitives.WriteInt64BigEndian(span, keyNumber);
        recordId.TryWriteBytes(span[8..], bigEndian: true, out _);
        pseudonym.CopyTo(span[24..]);
        commitment.CopyTo(span[(24 + SealingKeys.Length)..]);
        BinaryPrimitives.WriteInt32BigEndian(span[(24 + 2 * SealingKeys.Length)..], index);
        return data;
    }
}
