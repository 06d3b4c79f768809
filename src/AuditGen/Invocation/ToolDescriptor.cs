namespace AuditGen;

/// <summary>
/// Everything known at compile time about one audited tool. The generator emits one static instance per tool; the
/// generated manifest lists them all, which makes it the resource classification registry teams otherwise keep by hand.
/// </summary>
public sealed class ToolDescriptor
{
    /// <summary>Creates a descriptor. Called by generated code and by runtime interception.</summary>
    public ToolDescriptor(
        string name,
        string containingType,
        string methodName,
        string? description,
        AuditAction action,
        string? resourceType,
        DataClass classification,
        ComplianceDomain domains,
        AuditFailurePolicy failurePolicy,
        IReadOnlyList<ToolParameter> parameters,
        ToolReturn returns)
    {
        Name = name;
        ContainingType = containingType;
        MethodName = methodName;
        Description = description;
        Action = action;
        ResourceType = resourceType;
        Classification = classification;
        Domains = domains;
        FailurePolicy = failurePolicy;
        Parameters = parameters;
        Returns = returns;
    }

    /// <summary>The tool name recorded in every record.</summary>
    public string Name { get; }
    /// <summary>The full name of the type that declares the tool.</summary>
    public string ContainingType { get; }
    /// <summary>The C# method name.</summary>
    public string MethodName { get; }
    /// <summary>The tool's description (from <c>[Description]</c>), as agent frameworks see it.</summary>
    public string? Description { get; }
    /// <summary>The action the tool performs (<see cref="AuditAction.DataAccessed"/>, <see cref="AuditAction.DataModified"/>, or <see cref="AuditAction.ToolInvoked"/> for plain tools).</summary>
    public AuditAction Action { get; }
    /// <summary>The kind of resource touched.</summary>
    public string? ResourceType { get; }
    /// <summary>The effective classification: declared, or the highest of its parameters and return.</summary>
    public DataClass Classification { get; }
    /// <summary>The compliance regimes.</summary>
    public ComplianceDomain Domains { get; }
    /// <summary>The tool's own failure policy (<see cref="AuditFailurePolicy.Default"/> defers to the trail).</summary>
    public AuditFailurePolicy FailurePolicy { get; }
    /// <summary>The audited parameters in declaration order (cancellation tokens excluded).</summary>
    public IReadOnlyList<ToolParameter> Parameters { get; }
    /// <summary>The return value.</summary>
    public ToolReturn Returns { get; }

    private string? _spanName;
    private int _seals;

    /// <summary>Whether any parameter, property or the result is <see cref="RedactionStrategy.Seal"/>ed (computed once).</summary>
    internal bool Seals
    {
        get
        {
            if (_seals == 0)
                _seals = ComputeSeals() ? 1 : 2;
            return _seals == 1;
        }
    }

    private bool ComputeSeals()
    {
        if (Redaction.RedactionEngine.StrategyForResult(this) == RedactionStrategy.Seal)
            return true;
        foreach (var parameter in Parameters)
        {
            if (Redaction.RedactionEngine.StrategyFor(parameter.Classification, parameter.Redaction) == RedactionStrategy.Seal)
                return true;
            foreach (var property in parameter.Properties)
            {
                if (Redaction.RedactionEngine.StrategyFor(parameter, property) == RedactionStrategy.Seal)
                    return true;
            }
        }
        return false;
    }

    /// <summary>The name of the tool call's span: <c>execute_tool {Name}</c>.</summary>
    internal string SpanName => _spanName ??= "execute_tool " + Name;
}

/// <summary>Which role a parameter plays in the record.</summary>
public enum ToolParameterRole
{
    /// <summary>An ordinary argument.</summary>
    None,
    /// <summary>Its (redacted) value becomes the record's <c>ResourceId</c>.</summary>
    ResourceId,
    /// <summary>Its (redacted) value becomes the record's <c>SubjectId</c>.</summary>
    SubjectId,
}

/// <summary>One audited parameter of a tool (or one property of a parameter whose type has classified members).</summary>
/// <param name="Name">The parameter (or property) name.</param>
/// <param name="TypeName">The C# type, fully qualified, for the manifest.</param>
/// <param name="Classification">The declared classification, or <see langword="null"/> when unclassified (recorded as is).</param>
/// <param name="Redaction">The declared strategy, or <see langword="null"/> for the classification's default.</param>
/// <param name="Role">Whether it identifies the resource or the data subject.</param>
/// <param name="Properties">For a parameter whose type has classified properties: those properties, written one by one. Empty otherwise.</param>
public sealed record ToolParameter(
    string Name,
    string TypeName,
    DataClass? Classification,
    RedactionStrategy? Redaction,
    ToolParameterRole Role,
    IReadOnlyList<ToolParameter> Properties);

/// <summary>The return value of a tool.</summary>
/// <param name="TypeName">The C# result type (the <c>T</c> of <c>Task&lt;T&gt;</c>), or <c>void</c>.</param>
/// <param name="Classification">The declared classification of the result (<c>[return: DataClassification]</c>), or <see langword="null"/> for the tool's classification.</param>
/// <param name="Redaction">The declared strategy, or <see langword="null"/> for the classification's default.</param>
public sealed record ToolReturn(string TypeName, DataClass? Classification, RedactionStrategy? Redaction)
{
    /// <summary>A tool that returns nothing.</summary>
    public static ToolReturn Void { get; } = new("void", null, null);
}
