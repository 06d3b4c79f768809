using System.Net.Sockets;
using Npgsql;

namespace AuditGen.PostgreSql.Storage;

/// <summary>Which failures of a group commit are the database's (and which of those are worth a retry).</summary>
internal static class DatabaseFailures
{
    private const string IdleSessionTimeout = "57P05";
    private const string IdleInTransactionSessionTimeout = "25P03";

    /// <summary>A failure of the connection or the server, as opposed to a bug in this library.</summary>
    public static bool IsDatabaseFailure(Exception e) =>
        e is NpgsqlException or IOException or SocketException or TimeoutException or ObjectDisposedException
        || (e is InvalidOperationException && e.Source == "Npgsql");

    /// <summary>
    /// Whether trying again can succeed: the connection broke, the server is restarting or shutting a backend down, a
    /// serialization failure or deadlock, or a sequence taken by a writer that did not hold the tail lock.
    /// </summary>
    public static bool IsTransient(Exception e) => e switch
    {
        PostgresException p => p.SqlState switch
        {
            PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
                or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                or PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.LockNotAvailable => true,
            // The server ended a session that stalled while it held the log's lock (GroupCommitStatements.GuardHeldLockSql).
            IdleSessionTimeout or IdleInTransactionSessionTimeout => true,
            PostgresErrorCodes.UniqueViolation => p.ConstraintName == "records_pkey",
            _ => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.IsTransient,
        },
        NpgsqlException n => n.IsTransient || n.InnerException is IOException or SocketException or TimeoutException || n.InnerException is null,
        _ => IsDatabaseFailure(e),
    };
}
