using System.Security.Cryptography;

namespace AuditGen.Integrity;

/// <summary>
/// RFC 6962 / RFC 9162 Merkle tree hashing and proof verification: leaf hash <c>SHA-256(0x00 ‖ data)</c>, interior node
/// <c>SHA-256(0x01 ‖ left ‖ right)</c>. Depends on nothing but SHA-256, so an auditor can check a proof with this type
/// alone. A record's leaf hash is the chain's leaf, <c>SHA-256(0x00 ‖ canonical record)</c>.
/// </summary>
/// <remarks>
/// Every verifier returns <see langword="false"/> for anything malformed (wrong hash lengths, an index outside the tree,
/// too many or too few proof elements) rather than throwing: a proof is untrusted input.
/// </remarks>
public static class MerkleProof
{
    /// <summary>Size of every hash in bytes (SHA-256).</summary>
    public const int HashSize = 32;

    /// <summary>The root of the empty tree: SHA-256 of no bytes.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>The leaf hash of <paramref name="data"/>: <c>SHA-256(0x00 ‖ data)</c>.</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0x00]);
        hash.AppendData(data);
        return hash.GetHashAndReset();
    }

    /// <summary>The interior node hash <c>SHA-256(0x01 ‖ left ‖ right)</c> into <paramref name="destination"/> (32 bytes; may alias either input).</summary>
    public static void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        Span<byte> input = stackalloc byte[1 + 2 * HashSize];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + HashSize)..]);
        SHA256.HashData(input, destination);
    }

    /// <summary>
    /// Whether <paramref name="proof"/> proves that <paramref name="leafHash"/> is the leaf at <paramref name="index"/>
    /// of the tree of <paramref name="treeSize"/> leaves whose root is <paramref name="root"/> (RFC 9162 §2.1.3.2).
    /// </summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long treeSize, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (index < 0 || treeSize <= 0 || index >= treeSize || leafHash.Length != HashSize || root.Length != HashSize)
            return false;
        Span<byte> computed = stackalloc byte[HashSize];
        return TryRootFromInclusion(leafHash, index, treeSize, proof, computed) && computed.SequenceEqual(root);
    }

    /// <summary>
    /// Whether <paramref name="proof"/> proves that the tree of <paramref name="size1"/> leaves with root
    /// <paramref name="root1"/> is a prefix of the tree of <paramref name="size2"/> leaves with root <paramref name="root2"/>
    /// (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal roots; a proof from the empty tree proves nothing
    /// and is refused.
    /// </summary>
    public static bool VerifyConsistency(long size1, long size2, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (size1 <= 0 || size2 < size1)
            return false;
        if (size1 == size2)
            return proof.Count == 0 && root1.SequenceEqual(root2);
        if (root1.Length != HashSize || root2.Length != HashSize || proof.Count == 0)
            return false;
        foreach (var element in proof)
            if (element is null || element.Length != HashSize)
                return false;

        // When size1 is a power of two, the old root is itself the first node of the path.
        var isPowerOfTwo = (size1 & (size1 - 1)) == 0;
        var start = isPowerOfTwo ? -1 : 0;
        var fn = size1 - 1;
        var sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        Span<byte> fr = stackalloc byte[HashSize];
        Span<byte> sr = stackalloc byte[HashSize];
        (isPowerOfTwo ? root1 : proof[0]).CopyTo(fr);
        fr.CopyTo(sr);
        for (var i = start + 1; i < proof.Count; i++)
        {
            var c = proof[i];
            if (sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                HashChildren(c, fr, fr);
                HashChildren(c, sr, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                HashChildren(sr, c, sr);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.SequenceEqual(root1) && sr.SequenceEqual(root2);
    }

    /// <summary>
    /// The root an inclusion proof implies, into <paramref name="root"/>; <see langword="false"/> when the proof has the
    /// wrong shape for <paramref name="index"/> and <paramref name="treeSize"/>.
    /// </summary>
    public static bool TryRootFromInclusion(ReadOnlySpan<byte> leafHash, long index, long treeSize, IReadOnlyList<byte[]> proof, Span<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (index < 0 || index >= treeSize || leafHash.Length != HashSize || root.Length != HashSize)
            return false;
        var fn = index;
        var sn = treeSize - 1;
        Span<byte> r = stackalloc byte[HashSize];
        leafHash.CopyTo(r);
        foreach (var p in proof)
        {
            if (p is null || p.Length != HashSize || sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                HashChildren(p, r, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                HashChildren(r, p, r);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0)
            return false;
        r.CopyTo(root);
        return true;
    }
}
