using AuditGen.Integrity;

namespace AuditGen.Tests.Integrity.Merkle;

/// <summary>
/// RFC 6962 §2.1 written down literally (recursive MTH, PATH, SUBPROOF over the leaf list): the reference. MTH results
/// are memoized per leaf list only so that checking every index of a 2,000-leaf tree stays fast.
/// </summary>
internal static class NaiveMerkle
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<byte[]>, Dictionary<(int, int), byte[]>> Memo = new();

    public static byte[] Root(IReadOnlyList<byte[]> leaves) => Mth(leaves, 0, leaves.Count);

    public static List<byte[]> Path(int m, IReadOnlyList<byte[]> leaves, int lo, int hi)
    {
        var n = hi - lo;
        if (n == 1)
            return [];
        var k = 1;
        while (k * 2 < n) k *= 2;
        if (m - lo < k)
            return [.. Path(m, leaves, lo, lo + k), Mth(leaves, lo + k, hi)];
        return [.. Path(m, leaves, lo + k, hi), Mth(leaves, lo, lo + k)];
    }

    public static List<byte[]> Consistency(int m, IReadOnlyList<byte[]> leaves, int n) => SubProof(m, leaves, 0, n, true);

    private static List<byte[]> SubProof(int m, IReadOnlyList<byte[]> leaves, int lo, int hi, bool b)
    {
        var n = hi - lo;
        if (m == n)
            return b ? [] : [Mth(leaves, lo, hi)];
        var k = 1;
        while (k * 2 < n) k *= 2;
        if (m <= k)
            return [.. SubProof(m, leaves, lo, lo + k, b), Mth(leaves, lo + k, hi)];
        return [.. SubProof(m - k, leaves, lo + k, hi, false), Mth(leaves, lo, lo + k)];
    }

    private static byte[] Mth(IReadOnlyList<byte[]> leaves, int lo, int hi)
    {
        var memo = Memo.GetOrCreateValue(leaves);
        if (memo.TryGetValue((lo, hi), out var known))
            return known;
        return memo[(lo, hi)] = MthUncached(leaves, lo, hi);
    }

    private static byte[] MthUncached(IReadOnlyList<byte[]> leaves, int lo, int hi)
    {
        var n = hi - lo;
        if (n == 0)
            return MerkleProof.EmptyRoot();
        if (n == 1)
            return leaves[lo];
        var k = 1;
        while (k * 2 < n) k *= 2;
        var hash = new byte[32];
        MerkleProof.HashChildren(Mth(leaves, lo, lo + k), Mth(leaves, lo + k, hi), hash);
        return hash;
    }
}
