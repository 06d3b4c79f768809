namespace AuditGen;

/// <summary>Opens audit trails.</summary>
public static partial class AuditTrail
{
    /// <summary>
    /// Opens (or creates) a trail stored in the LiteDB file at <paramref name="path"/>, recovering and checking the
    /// chain's tail. Takes the trail's write lock unless <see cref="AuditTrailOptions.ReadOnly"/> is set.
    /// </summary>
    /// <exception cref="AuditTrailLockedException">Another writer holds the trail.</exception>
    /// <exception cref="AuditStoreCorruptException">The files cannot be read as an audit trail.</exception>
    public static LiteDbAuditTrail OpenLiteDb(string path, AuditTrailOptions? options = null) => throw new NotImplementedException();
}
