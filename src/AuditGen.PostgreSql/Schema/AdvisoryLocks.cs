namespace AuditGen.PostgreSql.Schema;

/// <summary>
/// The advisory locks of the store, in PostgreSQL's two-key form (its own key space, apart from the one-key locks
/// applications use). Key 1 is 'AUDG' in ASCII. A session-level and a transaction-level lock on the same keys exclude
/// each other, so writers that take either form serialize on the same tail.
/// </summary>
internal static class AdvisoryLocks
{
    /// <summary>First key of a log's tail lock; the second is <c>hashtext(log_id)</c>. Also taken by <c>auditgen.prune_archived_records</c>.</summary>
    public const int LogTail = 0x41554447;

    /// <summary>First key of the schema migration lock (second key 0).</summary>
    public const int Migration = 0x41554448;

    /// <summary>SQL that takes the tail lock of the log in parameter <c>$1</c> until the transaction ends.</summary>
    public const string LockLogSql = "SELECT pg_advisory_xact_lock(1096107079, hashtext($1))";

    /// <summary>The call that takes the tail lock of the log in parameter <c>$1</c> for the session, until released.</summary>
    public const string LockLogForSessionCall = "pg_advisory_lock(1096107079, hashtext($1))";

    /// <summary>SQL that releases the session's tail lock of the log in parameter <c>$1</c>.</summary>
    public const string UnlockLogSql = "SELECT pg_advisory_unlock(1096107079, hashtext($1))";

    /// <summary>SQL that ends any transaction, releases every advisory lock the session holds and the guard set while holding one.</summary>
    public const string ReleaseAllSql = "ROLLBACK; SELECT pg_advisory_unlock_all(); RESET idle_session_timeout";
}
