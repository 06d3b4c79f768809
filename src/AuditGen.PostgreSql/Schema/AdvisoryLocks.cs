namespace AuditGen.PostgreSql.Schema;

/// <summary>
/// The transaction-scoped advisory locks of the store, in PostgreSQL's two-key form (its own key space, apart from the
/// one-key locks applications use). Key 1 is 'AUDG' in ASCII.
/// </summary>
internal static class AdvisoryLocks
{
    /// <summary>First key of a log's tail lock; the second is <c>hashtext(log_id)</c>. Also taken by <c>auditgen.prune_archived_records</c>.</summary>
    public const int LogTail = 0x41554447;

    /// <summary>First key of the schema migration lock (second key 0).</summary>
    public const int Migration = 0x41554448;

    /// <summary>SQL that takes the tail lock of the log in parameter <c>$1</c>.</summary>
    public const string LockLogSql = "SELECT pg_advisory_xact_lock(1096107079, hashtext($1))";
}
