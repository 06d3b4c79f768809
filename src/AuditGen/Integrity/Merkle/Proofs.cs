namespace AuditGen.Integrity;

/// <summary>
/// Proof that the record at <see cref="Sequence"/> (whose leaf hash is <see cref="LeafHash"/>) is in the tree of the
/// first <see cref="TreeSize"/> records, whose root is <see cref="RootHash"/>. Check it with <see cref="Verify"/> or
/// with <see cref="MerkleProof.VerifyInclusion"/> against the root of a signed checkpoint of that size.
/// </summary>
/// <param name="Sequence">The record's sequence (its leaf index).</param>
/// <param name="TreeSize">The tree size the proof is for.</param>
/// <param name="LeafHash">SHA-256(0x00 ‖ the record's canonical bytes).</param>
/// <param name="Path">The audit path, leaf to root.</param>
/// <param name="RootHash">The root of the tree of <paramref name="TreeSize"/> records.</param>
public sealed record InclusionProof(long Sequence, long TreeSize, byte[] LeafHash, IReadOnlyList<byte[]> Path, byte[] RootHash)
{
    /// <summary>Whether the proof verifies against its own <see cref="RootHash"/>.</summary>
    public bool Verify() => MerkleProof.VerifyInclusion(LeafHash, Sequence, TreeSize, Path, RootHash);
}

/// <summary>
/// Proof that the tree of <see cref="Size1"/> records (root <see cref="Root1"/>) is a prefix of the tree of
/// <see cref="Size2"/> records (root <see cref="Root2"/>): the log only grew between the two.
/// </summary>
/// <param name="Size1">The older tree size.</param>
/// <param name="Size2">The newer tree size.</param>
/// <param name="Root1">The older root.</param>
/// <param name="Root2">The newer root.</param>
/// <param name="Path">The consistency proof.</param>
public sealed record ConsistencyProof(long Size1, long Size2, byte[] Root1, byte[] Root2, IReadOnlyList<byte[]> Path)
{
    /// <summary>Whether the proof verifies against its own roots.</summary>
    public bool Verify() => MerkleProof.VerifyConsistency(Size1, Size2, Root1, Root2, Path);
}
