namespace AuditGen;

/// <summary>
/// Audit configuration for tools whose code cannot carry AuditGen's attributes (a vendor SDK, generated clients, MCP
/// tools): the same facts <c>[AuditedTool]</c>, <c>[DataClassification]</c>, <c>[Redact]</c>, <c>[SubjectId]</c> and
/// <c>[ResourceId]</c> declare, given by name.
/// </summary>
/// <remarks>
/// Where a method also has attributes, the map wins for what it sets, except that a classification is never lowered:
/// the higher of the declared and the mapped class applies. A name the map gives that matches no method or parameter is
/// reported when the map is applied, never ignored.
/// </remarks>
/// <example><code>
/// var map = new ToolMap();
/// map.Tool("lookup_patient").ResourceType("Patient").Domains(ComplianceDomain.Hipaa)
///    .Classify("mrn", DataClass.Restricted, RedactionStrategy.Hmac).SubjectId("mrn");
/// </code></example>
public sealed class ToolMap
{
    private readonly Dictionary<string, ToolMapping> _tools = new(StringComparer.Ordinal);

    /// <summary>The configuration of the tool named <paramref name="name"/> (its tool name, e.g. <c>lookup_patient</c>, or its C# method name), created on first use.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public ToolMapping Tool(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_tools.TryGetValue(name, out var mapping))
            _tools.Add(name, mapping = new ToolMapping(name));
        return mapping;
    }

    /// <summary>Every tool configured so far.</summary>
    public IReadOnlyCollection<ToolMapping> Tools => _tools.Values;

    /// <summary>The mapping that applies to <paramref name="method"/> (attributes read from <paramref name="attributeSource"/>, default the method): by its tool name, else by its method name.</summary>
    public ToolMapping? Find(System.Reflection.MethodInfo method, System.Reflection.MethodInfo? attributeSource = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        var attribute = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<AuditedToolAttribute>(attributeSource ?? method)
            ?? System.Reflection.CustomAttributeExtensions.GetCustomAttribute<AuditedToolAttribute>(method);
        return Find(attribute?.Name ?? ToolNames.FromMethod(method.Name), method.Name);
    }

    /// <summary>The mapping for a method: by its tool name, else by its method name.</summary>
    internal ToolMapping? Find(string toolName, string methodName) =>
        _tools.TryGetValue(toolName, out var byTool) ? byTool
        : _tools.TryGetValue(methodName, out var byMethod) ? byMethod
        : null;
}

/// <summary>The audit configuration of one tool in a <see cref="ToolMap"/>. Every method returns this mapping, for chaining.</summary>
public sealed class ToolMapping
{
    private readonly Dictionary<string, ValueMapping> _values = new(StringComparer.Ordinal);

    internal ToolMapping(string key) => Key = key;

    /// <summary>The name this mapping was registered under.</summary>
    public string Key { get; }

    internal string? ToolName { get; private set; }
    internal string? DescriptionText { get; private set; }
    internal string? ResourceTypeName { get; private set; }
    internal ComplianceDomain? DomainFlags { get; private set; }
    internal DataClass? ToolClassification { get; private set; }
    internal AuditAction? ToolAction { get; private set; }
    internal AuditFailurePolicy? Policy { get; private set; }
    internal ValueMapping? ResultMapping { get; private set; }
    internal IReadOnlyDictionary<string, ValueMapping> Values => _values;

    /// <summary>Records the tool under <paramref name="toolName"/> (default: the method name in snake_case without <c>Async</c>).</summary>
    public ToolMapping Named(string toolName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(toolName);
        ToolName = toolName;
        return this;
    }

    /// <summary>The tool's description, for the manifest.</summary>
    public ToolMapping Description(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        DescriptionText = description;
        return this;
    }

    /// <summary>The kind of resource the tool touches (e.g. <c>Patient</c>).</summary>
    public ToolMapping ResourceType(string resourceType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceType);
        ResourceTypeName = resourceType;
        return this;
    }

    /// <summary>The compliance regimes of the tool's records.</summary>
    public ToolMapping Domains(ComplianceDomain domains)
    {
        DomainFlags = domains;
        return this;
    }

    /// <summary>The tool's classification (default: the highest of its parameters and result, else <see cref="DataClass.Internal"/>).</summary>
    public ToolMapping Classification(DataClass classification)
    {
        ToolClassification = Defined(classification, nameof(classification));
        return this;
    }

    /// <summary>What the call means: <see cref="AuditAction.DataAccessed"/>, <see cref="AuditAction.DataModified"/> or <see cref="AuditAction.ToolInvoked"/>.</summary>
    public ToolMapping Action(AuditAction action)
    {
        ToolAction = Defined(action, nameof(action));
        return this;
    }

    /// <summary>What the call does when its record cannot be made durable.</summary>
    public ToolMapping FailurePolicy(AuditFailurePolicy policy)
    {
        Policy = Defined(policy, nameof(policy));
        return this;
    }

    /// <summary>Classifies a parameter (<c>mrn</c>) or a property of one (<c>referral.Mrn</c>), optionally with a redaction strategy.</summary>
    public ToolMapping Classify(string parameter, DataClass classification, RedactionStrategy? redaction = null)
    {
        var value = Value(parameter);
        value.Classification = Defined(classification, nameof(classification));
        if (redaction is { } strategy)
            value.Redaction = Defined(strategy, nameof(redaction));
        return this;
    }

    /// <summary>Chooses how a parameter (or <c>parameter.Property</c>) is redacted.</summary>
    public ToolMapping Redact(string parameter, RedactionStrategy strategy)
    {
        Value(parameter).Redaction = Defined(strategy, nameof(strategy));
        return this;
    }

    /// <summary>The parameter (or <c>parameter.Property</c>) identifies the data subject: its redacted value becomes the record's <c>SubjectId</c>.</summary>
    public ToolMapping SubjectId(string parameter)
    {
        Value(parameter).Role = ToolParameterRole.SubjectId;
        return this;
    }

    /// <summary>The parameter (or <c>parameter.Property</c>) identifies the resource: its redacted value becomes the record's <c>ResourceId</c>.</summary>
    public ToolMapping ResourceId(string parameter)
    {
        Value(parameter).Role = ToolParameterRole.ResourceId;
        return this;
    }

    /// <summary>Classifies the tool's result (default: the tool's classification).</summary>
    public ToolMapping ClassifyResult(DataClass classification, RedactionStrategy? redaction = null)
    {
        ResultMapping = new ValueMapping
        {
            Classification = Defined(classification, nameof(classification)),
            Redaction = redaction is { } strategy ? Defined(strategy, nameof(redaction)) : null,
        };
        return this;
    }

    private ValueMapping Value(string parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(parameter);
        if (!_values.TryGetValue(parameter, out var value))
            _values.Add(parameter, value = new ValueMapping());
        return value;
    }

    private T Defined<T>(T value, string name)
        where T : struct, Enum =>
        Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"Tool map '{Key}': {value} is not a defined {typeof(T).Name} value.");
}

/// <summary>What a <see cref="ToolMapping"/> says about one parameter, property or result.</summary>
internal sealed class ValueMapping
{
    public DataClass? Classification { get; set; }
    public RedactionStrategy? Redaction { get; set; }
    public ToolParameterRole? Role { get; set; }
}
