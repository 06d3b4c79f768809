namespace AuditGen;

/// <summary>An audit trail could not do what was asked: it is closed, locked by another writer, corrupt, or misconfigured.</summary>
public class AuditTrailException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AuditTrailException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public AuditTrailException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>The trail's files exist but cannot be read as an audit trail (truncated, overwritten, not LiteDB, malformed journal).</summary>
public sealed class AuditStoreCorruptException : AuditTrailException
{
    /// <summary>Creates the exception.</summary>
    public AuditStoreCorruptException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public AuditStoreCorruptException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Another writer (this or another process) holds the trail's write lock.</summary>
public sealed class AuditTrailLockedException : AuditTrailException
{
    /// <summary>Creates the exception.</summary>
    public AuditTrailLockedException(string message, Exception? innerException = null) : base(message, innerException!) { }
}
