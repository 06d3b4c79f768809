namespace AuditGen;

/// <summary>What a tool call does when its audit record cannot be made durable.</summary>
public enum AuditFailurePolicy
{
    /// <summary>Decided by the data: <see cref="FailClosed"/> for <see cref="DataClass.Restricted"/> tools, otherwise the trail's configured policy.</summary>
    Default = 0,

    /// <summary>The tool does not run (or its result is not returned) until its record is durable; an audit failure fails the call.</summary>
    FailClosed = 1,

    /// <summary>The call proceeds while the record is written in the background; a failure raises an alert and is counted.</summary>
    FailOpen = 2,
}
