namespace AuditGen.Queries;

/// <summary>
/// What a reader of the audit log may see. Every role sees every matching record and its metadata (sequence, time,
/// action, actor, conversation, user, agent, tool, resource type, classification, domains, outcome, duration, error
/// type, model and tokens, trace ids, hashes); the roles differ in which records they see in full.
/// </summary>
/// <remarks>
/// The redacted view of a record replaces its <c>details</c> with <c>{"withheld":"&lt;classification&gt;"}</c> and its
/// resource id, subject id, error message and sealed content with <see cref="AuditRecordView.WithheldMarker"/>.
/// </remarks>
public enum AuditReaderRole
{
    /// <summary><c>auditor</c>: every record in full, restricted ones included (compliance review).</summary>
    Auditor,

    /// <summary>
    /// <c>operator</c>: public and internal records in full; confidential and restricted records in the redacted view
    /// (running the system needs volumes, tools, outcomes, durations and error types, not personal data or its pseudonyms).
    /// </summary>
    Operator,

    /// <summary>
    /// <c>admin</c>: public, internal and confidential records in full; restricted records in the redacted view
    /// (administering retention, holds and erasure needs identifiers and pseudonyms, not regulated content).
    /// </summary>
    Admin,
}

/// <summary>Wire names (<c>auditor</c>, <c>operator</c>, <c>admin</c>) and the visibility rule of <see cref="AuditReaderRole"/>.</summary>
public static class AuditReaderRoles
{
    /// <summary>The role's wire name.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined role.</exception>
    public static string ToWireName(this AuditReaderRole role) => role switch
    {
        AuditReaderRole.Auditor => "auditor",
        AuditReaderRole.Operator => "operator",
        AuditReaderRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, $"Undefined reader role {(int)role}."),
    };

    /// <summary>Parses a wire name exactly (lower case).</summary>
    public static bool TryParse(string? name, out AuditReaderRole role)
    {
        switch (name)
        {
            case "auditor": role = AuditReaderRole.Auditor; return true;
            case "operator": role = AuditReaderRole.Operator; return true;
            case "admin": role = AuditReaderRole.Admin; return true;
            default: role = default; return false;
        }
    }

    /// <summary>Whether <paramref name="role"/> sees records of <paramref name="classification"/> in full (otherwise: the redacted view).</summary>
    public static bool SeesInFull(this AuditReaderRole role, DataClass classification) => role switch
    {
        AuditReaderRole.Auditor => true,
        AuditReaderRole.Admin => classification <= DataClass.Confidential,
        AuditReaderRole.Operator => classification <= DataClass.Internal,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, $"Undefined reader role {(int)role}."),
    };
}
