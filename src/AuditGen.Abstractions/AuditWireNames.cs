namespace AuditGen;

/// <summary>The snake_case names enums have on the wire and in canonical records. One place, used by every writer and reader.</summary>
public static class AuditWireNames
{
    private static readonly string[] Actions =
    [
        "conversation_started", "user_message_received", "agent_reasoning", "tool_invoked", "tool_completed",
        "tool_failed", "data_accessed", "data_modified", "agent_response_generated", "prompt_changed",
        "model_changed", "access_granted", "access_revoked", "audit_log_accessed", "retention_applied",
        "archive_created", "subject_erased", "checkpoint_signed", "conversation_ended", "error",
        "legal_hold_placed", "legal_hold_released", "retention_policy_changed",
    ];

    private static readonly string[] Domains = ["hipaa", "soc2", "financial", "pci", "gdpr", "eu_ai_act"];

    /// <summary>The wire name of an action, e.g. <c>tool_invoked</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined action.</exception>
    public static string ToWireName(this AuditAction action) =>
        (uint)action < (uint)Actions.Length ? Actions[(int)action] : throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown audit action.");

    /// <summary>Parses a wire name such as <c>tool_failed</c>.</summary>
    public static bool TryParseAction(string? name, out AuditAction action)
    {
        var index = Array.IndexOf(Actions, name);
        action = (AuditAction)Math.Max(index, 0);
        return index >= 0;
    }

    /// <summary>The wire name of a classification: <c>public</c>, <c>internal</c>, <c>confidential</c> or <c>restricted</c>.</summary>
    public static string ToWireName(this DataClass value) => value switch
    {
        DataClass.Public => "public",
        DataClass.Internal => "internal",
        DataClass.Confidential => "confidential",
        DataClass.Restricted => "restricted",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown data class."),
    };

    /// <summary>Parses a classification wire name.</summary>
    public static bool TryParseDataClass(string? name, out DataClass value)
    {
        switch (name)
        {
            case "public": value = DataClass.Public; return true;
            case "internal": value = DataClass.Internal; return true;
            case "confidential": value = DataClass.Confidential; return true;
            case "restricted": value = DataClass.Restricted; return true;
            default: value = default; return false;
        }
    }

    /// <summary>The wire name of an actor type: <c>user</c>, <c>agent</c>, <c>admin</c> or <c>system</c>.</summary>
    public static string ToWireName(this ActorType value) => value switch
    {
        ActorType.User => "user",
        ActorType.Agent => "agent",
        ActorType.Admin => "admin",
        ActorType.System => "system",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown actor type."),
    };

    /// <summary>Parses an actor type wire name.</summary>
    public static bool TryParseActorType(string? name, out ActorType value)
    {
        switch (name)
        {
            case "user": value = ActorType.User; return true;
            case "agent": value = ActorType.Agent; return true;
            case "admin": value = ActorType.Admin; return true;
            case "system": value = ActorType.System; return true;
            default: value = default; return false;
        }
    }

    /// <summary>The wire name of an outcome: <c>success</c>, <c>failure</c> or <c>denied</c>.</summary>
    public static string ToWireName(this AuditOutcome value) => value switch
    {
        AuditOutcome.Success => "success",
        AuditOutcome.Failure => "failure",
        AuditOutcome.Denied => "denied",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown outcome."),
    };

    /// <summary>Parses an outcome wire name.</summary>
    public static bool TryParseOutcome(string? name, out AuditOutcome value)
    {
        switch (name)
        {
            case "success": value = AuditOutcome.Success; return true;
            case "failure": value = AuditOutcome.Failure; return true;
            case "denied": value = AuditOutcome.Denied; return true;
            default: value = default; return false;
        }
    }

    /// <summary>The wire names of the set flags, in flag order (e.g. <c>["hipaa","gdpr"]</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A flag outside the defined set is present.</exception>
    public static IReadOnlyList<string> ToWireNames(this ComplianceDomain domains)
    {
        if (((int)domains & ~((1 << Domains.Length) - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(domains), domains, "Unknown compliance domain flag.");
        var names = new List<string>(Domains.Length);
        for (var bit = 0; bit < Domains.Length; bit++)
            if (((int)domains & (1 << bit)) != 0)
                names.Add(Domains[bit]);
        return names;
    }

    /// <summary>Parses one domain wire name such as <c>hipaa</c>.</summary>
    public static bool TryParseDomain(string? name, out ComplianceDomain domain)
    {
        var index = Array.IndexOf(Domains, name);
        domain = index >= 0 ? (ComplianceDomain)(1 << index) : ComplianceDomain.None;
        return index >= 0;
    }
}
