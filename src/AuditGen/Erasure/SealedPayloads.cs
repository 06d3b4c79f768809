using System.Security.Cryptography;

namespace AuditGen.Erasure;

/// <summary>One value sealed at capture: its commitment (in the record) and its opening and canonical payload (for the vault only).</summary>
internal sealed class SealedValue(int index, byte[] commitment, byte[] opening, byte[] payload)
{
    /// <summary>The value's position among its record's sealed values (the AES-GCM nonce under the record key).</summary>
    public int Index { get; } = index;

    /// <summary><c>HMAC-SHA256(kc, opening ‖ payload)</c>.</summary>
    public byte[] Commitment { get; } = commitment;

    /// <summary>The random 32-byte opening.</summary>
    public byte[] Opening { get; } = opening;

    /// <summary>The value's canonical JSON (RFC 8785), UTF-8.</summary>
    public byte[] Payload { get; } = payload;

    /// <summary>Zeroes the opening and the payload once they are encrypted.</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(Opening);
        CryptographicOperations.ZeroMemory(Payload);
    }
}

/// <summary>
/// The sealed values of one entry on their way to the trail's writer, which encrypts them under the subject's key and
/// writes them durably to the vault before it acknowledges the record (see <c>VaultCommit</c>).
/// </summary>
internal sealed class SealedPayloads(byte[] subjectPseudonym, IReadOnlyList<SealedValue> values)
{
    /// <summary>The data subject's pseudonym (<see cref="SealingKeys.Pseudonym"/>).</summary>
    public byte[] SubjectPseudonym { get; } = subjectPseudonym;

    /// <summary>The values, in index order.</summary>
    public IReadOnlyList<SealedValue> Values { get; } = values;
}
