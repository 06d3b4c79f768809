using AuditGen.Storage;

namespace AuditGen.PostgreSql.Storage;

/// <summary>
/// The end of a log as one statement saw it: the chain's tail, the Merkle tree's right edge at that size (positions to
/// hashes; complete when it has one node per set bit of the size), and the sequence of the latest checkpoint record.
/// </summary>
internal sealed record LogTail(ChainTail Chain, Dictionary<long, byte[]> Edge, long? LatestCheckpointSequence)
{
    /// <summary>An empty log.</summary>
    public static LogTail Empty => new(ChainTail.Genesis, [], null);

    /// <summary>Whether the tree holds every record of the chain (a log written before schema version 2 may lag).</summary>
    public bool TreeIsLevel => Edge.Count == System.Numerics.BitOperations.PopCount((ulong)Chain.NextSequence);
}
