namespace AuditGen.PostgreSql;

/// <summary>
/// How a PostgreSQL trail's writer rides out failures of the database and of the log's other writers, and how long it
/// keeps its connection while idle. The trail's other settings are its <see cref="AuditTrailOptions"/>; a read-only
/// trail has no writer and ignores these.
/// </summary>
public sealed class PostgreSqlWriterOptions
{
    /// <summary>The longest <see cref="RetryTimeout"/> accepted: 1 hour.</summary>
    public static TimeSpan MaxRetryTimeout { get; } = TimeSpan.FromHours(1);

    /// <summary>The shortest <see cref="HeldLockTimeout"/> accepted: 100 ms.</summary>
    public static TimeSpan MinHeldLockTimeout { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest <see cref="HeldLockTimeout"/> accepted: 10 minutes.</summary>
    public static TimeSpan MaxHeldLockTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>The shortest <see cref="IdleConnectionTimeout"/> accepted: 1 second.</summary>
    public static TimeSpan MinIdleConnectionTimeout { get; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest <see cref="IdleConnectionTimeout"/> accepted: 1 day.</summary>
    public static TimeSpan MaxIdleConnectionTimeout { get; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long one group commit keeps retrying transient failures (a lost connection, a server that restarts or fails
    /// over, a serialization failure or a deadlock) before its callers fail with an <see cref="AuditTrailException"/>;
    /// the next append starts afresh. Retries wait 20 ms, doubling up to 1 s between attempts. A commit whose answer was
    /// lost is looked up by its records' ids within the same time, so it is neither lost nor written twice. Set it above
    /// the time a failover of your database takes. Default 30 s; zero means one attempt, and one lookup after a lost answer.
    /// </summary>
    public TimeSpan RetryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the server lets this writer's session stay idle while it holds the log's lock across a client turnaround
    /// (after another writer overtook it, or for a log whose Merkle tree lags its records) before it ends the session,
    /// which releases the lock for the log's other writers: a writer in a paused VM or a stopped process cannot hold them
    /// up for longer. The stalled writer finds its connection gone when it resumes and retries. Default 10 s.
    /// </summary>
    public TimeSpan HeldLockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the writer keeps its connection while it has nothing to commit. After that (checked every
    /// <see cref="IdleConnectionTimeout"/>, so between one and two of them) the connection goes back to the data source's
    /// pool, and the next commit takes one again. With one log per tenant, trails opened on one shared data source then
    /// need connections only for the tenants that are writing, not one per open trail. Default 30 s.
    /// </summary>
    public TimeSpan IdleConnectionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Refuses values out of range, naming the setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    internal void Validate(string parameterName)
    {
        if (RetryTimeout < TimeSpan.Zero || RetryTimeout > MaxRetryTimeout)
            throw new ArgumentOutOfRangeException(parameterName, RetryTimeout,
                $"{nameof(PostgreSqlWriterOptions)}.{nameof(RetryTimeout)} must be between zero (no retries) and {MaxRetryTimeout.TotalHours:0} hour.");
        if (HeldLockTimeout < MinHeldLockTimeout || HeldLockTimeout > MaxHeldLockTimeout)
            throw new ArgumentOutOfRangeException(parameterName, HeldLockTimeout,
                $"{nameof(PostgreSqlWriterOptions)}.{nameof(HeldLockTimeout)} must be between {MinHeldLockTimeout.TotalMilliseconds:0} ms and {MaxHeldLockTimeout.TotalMinutes:0} minutes.");
        if (IdleConnectionTimeout < MinIdleConnectionTimeout || IdleConnectionTimeout > MaxIdleConnectionTimeout)
            throw new ArgumentOutOfRangeException(parameterName, IdleConnectionTimeout,
                $"{nameof(PostgreSqlWriterOptions)}.{nameof(IdleConnectionTimeout)} must be between {MinIdleConnectionTimeout.TotalSeconds:0} second and {MaxIdleConnectionTimeout.TotalDays:0} day.");
    }
}
