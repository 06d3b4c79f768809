namespace AuditGen.PostgreSql.Storage;

/// <summary>Points in a group commit where tests inject failures (a killed backend, a lost COMMIT answer).</summary>
internal enum CommitStage
{
    /// <summary>The batch is linked onto the tail it expects and about to be sent (under the lock, in the locked path); nothing inserted yet.</summary>
    BeforeInsert,
    /// <summary>COMMIT and the WAL flush have been answered: the batch is durable, nobody acknowledged yet.</summary>
    AfterCommit,
}
