namespace AuditGen;

/// <summary>Who performed the action.</summary>
public enum ActorType
{
    /// <summary>A human user.</summary>
    User,
    /// <summary>An AI agent acting for a user.</summary>
    Agent,
    /// <summary>An administrator.</summary>
    Admin,
    /// <summary>The system itself (retention, checkpoints, recovery).</summary>
    System,
}
