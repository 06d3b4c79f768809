namespace AuditGen.Queries;

/// <summary>Who reads the audit log, and in which role. Recorded in every <c>audit_log_accessed</c> record.</summary>
public sealed record AuditReader
{
    /// <summary>A reader with an identity and a role.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or blank.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="role"/> is not a defined role.</exception>
    public AuditReader(string id, AuditReaderRole role)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        _ = role.ToWireName();
        Id = id;
        Role = role;
    }

    /// <summary>The reader's identity (a staff or service id, as the organisation names it).</summary>
    public string Id { get; }

    /// <summary>What the reader may see.</summary>
    public AuditReaderRole Role { get; }
}
