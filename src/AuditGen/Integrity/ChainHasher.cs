using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using AuditGen.Canonical;

namespace AuditGen.Integrity;

/// <summary>
/// The chain hash of DESIGN §4: <c>leaf = SHA-256(0x00 ‖ canonical)</c>,
/// <c>Hash = SHA-256(UTF8("auditgen:v1") ‖ PreviousHash ‖ leaf)</c>, genesis <c>PreviousHash</c> = 32 zero bytes.
/// Every writer, verifier and exporter uses this one implementation.
/// </summary>
internal static class ChainHasher
{
    /// <summary>Size of every hash in bytes.</summary>
    public const int HashSize = 32;

    private static ReadOnlySpan<byte> Domain => "auditgen:v1"u8;

    [ThreadStatic] private static IncrementalHash? t_leafHash;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_canonicalBuffer;

    /// <summary>Computes the leaf hash of canonical record bytes into <paramref name="leaf"/>.</summary>
    public static void ComputeLeaf(ReadOnlySpan<byte> canonical, Span<byte> leaf)
    {
        var hash = t_leafHash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ReadOnlySpan<byte> prefix = [0x00];
        hash.AppendData(prefix);
        hash.AppendData(canonical);
        if (!hash.TryGetHashAndReset(leaf, out var written) || written != HashSize)
            throw new CryptographicException("SHA-256 did not produce 32 bytes.");
    }

    /// <summary>Computes the chain hash from the previous hash (32 raw bytes) and a leaf hash.</summary>
    public static void ComputeChain(ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> leaf, Span<byte> hash)
    {
        Span<byte> input = stackalloc byte[11 + HashSize + HashSize];
        Domain.CopyTo(input);
        previousHash.CopyTo(input[11..]);
        leaf.CopyTo(input[(11 + HashSize)..]);
        SHA256.HashData(input, hash);
    }

    /// <summary>The chain hash of canonical record bytes after <paramref name="previousHash"/> (32 raw bytes).</summary>
    public static void ComputeHash(ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> canonical, Span<byte> hash)
    {
        Span<byte> leaf = stackalloc byte[HashSize];
        ComputeLeaf(canonical, leaf);
        ComputeChain(previousHash, leaf, hash);
    }

    /// <summary>
    /// The hash <paramref name="record"/>'s content gives when chained onto its own <see cref="AuditRecord.PreviousHash"/>,
    /// as lower-case hex. Compare with <see cref="AuditRecord.Hash"/> to detect an edit.
    /// </summary>
    /// <exception cref="FormatException">The record's previous hash is not 64 lower-case hex digits.</exception>
    /// <exception cref="ArgumentException">A field cannot be encoded.</exception>
    public static string ComputeRecordHash(AuditRecord record) => ComputeRecordHash(record, stackalloc byte[HashSize]);

    /// <summary>As <see cref="ComputeRecordHash(AuditRecord)"/>, also writing the record's leaf hash (its Merkle leaf) into <paramref name="leaf"/>.</summary>
    public static string ComputeRecordHash(AuditRecord record, Span<byte> leaf)
    {
        Span<byte> previous = stackalloc byte[HashSize];
        if (!HashHex.TryDecode(record.PreviousHash, previous))
            throw new FormatException($"Previous hash '{record.PreviousHash}' of sequence {record.Sequence} is not 64 lower-case hex digits.");
        var buffer = t_canonicalBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        AuditRecordCodec.Write(record, buffer, includeHash: false, detailsAreCanonical: false);
        Span<byte> hash = stackalloc byte[HashSize];
        ComputeLeaf(buffer.WrittenSpan, leaf);
        ComputeChain(previous, leaf, hash);
        return HashHex.Encode(hash);
    }

    /// <summary>UTF-8 of the domain separator, for tests and documentation.</summary>
    public static string DomainSeparator => Encoding.UTF8.GetString(Domain);
}
