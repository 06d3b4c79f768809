namespace AuditGen;

/// <summary>
/// Marks a method of a <c>partial</c> class as an agent tool whose every call is audited. The AuditGen source
/// generator emits an <c>Audited{ClassName}</c> wrapper that records <c>tool_invoked</c> before the call and
/// <c>tool_completed</c> or <c>tool_failed</c> after it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class AuditedToolAttribute : Attribute
{
    /// <summary>Audits the method under its own name in snake_case (e.g. <c>LookupPatientAsync</c> → <c>lookup_patient</c>).</summary>
    public AuditedToolAttribute() { }

    /// <summary>Audits the method under an explicit tool name.</summary>
    /// <param name="name">The tool name recorded in every record; unique in the assembly.</param>
    public AuditedToolAttribute(string name) => Name = name;

    /// <summary>The tool name, or <see langword="null"/> to derive it from the method name.</summary>
    public string? Name { get; }

    /// <summary>The kind of resource the tool touches (e.g. <c>Patient</c>, <c>Account</c>).</summary>
    public string? ResourceType { get; set; }

    /// <summary>The compliance regimes the tool's records fall under.</summary>
    public ComplianceDomain Domains { get; set; }

    /// <summary>The tool's data classification. When not set, the highest classification of its parameters is used.</summary>
    public DataClass Classification { get; set; }

    /// <summary>
    /// What the call means beyond being a tool call: <see cref="AuditAction.DataAccessed"/> or
    /// <see cref="AuditAction.DataModified"/> are recorded in the completion record's details.
    /// </summary>
    public AuditAction Action { get; set; } = AuditAction.ToolInvoked;

    /// <summary>What the call does when its audit record cannot be made durable.</summary>
    public AuditFailurePolicy FailurePolicy { get; set; }
}

/// <summary>
/// Classifies a parameter, return value, property or field with an AuditGen <see cref="DataClass"/>. Derives from
/// Microsoft.Extensions.Compliance's <see cref="Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute"/>,
/// so any redactor provider configured for the <see cref="AuditTaxonomy"/> applies too.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.ReturnValue | AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = true)]
public sealed class DataClassificationAttribute : Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute
{
    /// <summary>Classifies the target.</summary>
    /// <param name="dataClass">How sensitive the value is.</param>
    public DataClassificationAttribute(DataClass dataClass)
        : base(AuditTaxonomy.For(dataClass)) => DataClass = dataClass;

    /// <summary>The data class.</summary>
    public DataClass DataClass { get; }
}

/// <summary>Chooses how a classified value is redacted before it enters a record (overrides the class default).</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.ReturnValue | AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = true)]
public sealed class RedactAttribute : Attribute
{
    /// <summary>Redacts the target with <paramref name="strategy"/>.</summary>
    public RedactAttribute(RedactionStrategy strategy) => Strategy = strategy;

    /// <summary>The strategy.</summary>
    public RedactionStrategy Strategy { get; }
}

/// <summary>The parameter (or property) identifies the resource the tool touches; recorded as <c>ResourceId</c> (redacted by its classification).</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class ResourceIdAttribute : Attribute
{
}

/// <summary>The parameter (or property) identifies the data subject (patient, customer); recorded as <c>SubjectId</c> (redacted by its classification) for erasure and access reports.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class SubjectIdAttribute : Attribute
{
}

/// <summary>Declares that a public tool-like method is deliberately not audited. The justification is required and reviewed.</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NotAuditedAttribute : Attribute
{
    /// <summary>Exempts the target from auditing.</summary>
    /// <param name="justification">Why the method need not be audited; must not be empty.</param>
    public NotAuditedAttribute(string justification) => Justification = justification;

    /// <summary>Why the method need not be audited.</summary>
    public string Justification { get; }
}
