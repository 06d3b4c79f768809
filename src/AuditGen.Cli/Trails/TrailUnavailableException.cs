namespace AuditGen.Cli.Trails;

/// <summary>The trail cannot be read: missing, not a trail, corrupt, locked or not permitted. Maps to <see cref="ExitCodes.TrailUnavailable"/>.</summary>
internal sealed class TrailUnavailableException : Exception
{
    public TrailUnavailableException(string message) : base(message) { }

    public TrailUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
