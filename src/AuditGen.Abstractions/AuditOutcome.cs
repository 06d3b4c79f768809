namespace AuditGen;

/// <summary>How the action ended.</summary>
public enum AuditOutcome
{
    /// <summary>It succeeded (or, for <c>tool_invoked</c>, it started).</summary>
    Success,
    /// <summary>It failed with an error.</summary>
    Failure,
    /// <summary>It was refused by an authorisation decision.</summary>
    Denied,
}
