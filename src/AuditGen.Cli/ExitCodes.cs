namespace AuditGen.Cli;

/// <summary>The process exit codes of <c>auditgen</c>. Stable: scripts and CI depend on them.</summary>
public static class ExitCodes
{
    /// <summary>The command succeeded; for <c>verify</c>, the trail is intact.</summary>
    public const int Success = 0;

    /// <summary><c>verify</c> found a broken record: the trail was altered.</summary>
    public const int Tampered = 1;

    /// <summary>The command line is invalid (unknown option, missing argument, unparseable value).</summary>
    public const int UsageError = 2;

    /// <summary>The trail is missing, unreadable, or not an audit trail.</summary>
    public const int TrailUnavailable = 3;

    /// <summary>A checkpoint or key file is missing or malformed, or the checkpoint's signature does not verify with the key.</summary>
    public const int CheckpointInvalid = 4;

    /// <summary>The operation was refused and nothing was changed: <c>erase</c> of a subject under a legal hold (the hold is named).</summary>
    public const int Refused = 5;
}
