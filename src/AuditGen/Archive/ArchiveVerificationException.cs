namespace AuditGen.Archive;

/// <summary>An archive segment did not verify when read back (or when a run resumed): nothing was removed from the trail.</summary>
public sealed class ArchiveVerificationException : AuditTrailException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveVerificationException(string message) : base(message) { }
}
