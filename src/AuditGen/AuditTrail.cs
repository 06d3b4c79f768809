using AuditGen.Storage.Journal;

namespace AuditGen;

/// <summary>Opens audit trails.</summary>
public static partial class AuditTrail
{
    /// <summary>
    /// Opens (or creates) a trail stored in the LiteDB file at <paramref name="path"/>, recovering and checking the
    /// chain's tail. Takes the trail's write lock unless <see cref="AuditTrailOptions.ReadOnly"/> is set.
    /// </summary>
    /// <remarks>
    /// Beside the LiteDB file the trail keeps <c>{path}.journal</c> (the durable, fsynced record journal) and
    /// <c>{path}.lock</c> (the write lock). Keep the three together.
    /// </remarks>
    /// <exception cref="AuditTrailLockedException">Another writer holds the trail.</exception>
    /// <exception cref="AuditStoreCorruptException">The files cannot be read as an audit trail.</exception>
    /// <exception cref="AuditTrailException">The path's directory does not exist, or a read-only trail does not exist.</exception>
    public static LiteDbAuditTrail OpenLiteDb(string path, AuditTrailOptions? options = null) =>
        LiteDbAuditTrail.Open(path, options ?? new AuditTrailOptions(), FileJournalFile.Open);

    /// <summary>Opens a trail with an injected journal file (tests observe or fail the durability barrier through it).</summary>
    internal static LiteDbAuditTrail OpenLiteDb(string path, AuditTrailOptions? options, JournalFileOpener journalOpener) =>
        LiteDbAuditTrail.Open(path, options ?? new AuditTrailOptions(), journalOpener);

    /// <summary>Opens a trail without its Merkle tree: the baseline of the tree's cost in the benchmarks, nothing else.</summary>
    internal static LiteDbAuditTrail OpenLiteDbWithoutTree(string path, AuditTrailOptions? options = null) =>
        LiteDbAuditTrail.Open(path, options ?? new AuditTrailOptions(), FileJournalFile.Open, withTree: false);
}
