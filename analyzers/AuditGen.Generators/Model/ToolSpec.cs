namespace AuditGen.Generators.Model;

/// <summary>How a tool method returns, which decides the shape of the audited body.</summary>
internal enum ReturnKind
{
    Void,
    Value,
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}

/// <summary>A value of one of AuditGen's enums: its number (for comparisons) and the C# expression that spells it.</summary>
internal readonly record struct EnumValue(long Value, string Expression);

/// <summary>Classification, redaction and role declared on a parameter, property or return value.</summary>
internal readonly record struct DataAnnotations(EnumValue? Classification, EnumValue? Redaction, string Role)
{
    public bool HasAny => Classification is not null || Redaction is not null || Role != "None";
}

/// <summary>A public property of an object argument, written one by one with <c>ObjectProperty</c>.</summary>
internal sealed record PropertySpec(
    string Name,
    string Identifier,
    string ManifestTypeName,
    DataAnnotations Annotations);

/// <summary>How an object argument is null-checked before it is written property by property.</summary>
internal enum NullCheck
{
    None,
    Reference,
    NonNullableReference,
    NullableValue,
}

/// <summary>One parameter of a tool method.</summary>
internal sealed record ParameterSpec(
    string Name,
    string Identifier,
    string TypeDisplay,
    string ManifestTypeName,
    bool IsParams,
    string? DefaultValue,
    bool IsOptionalWithoutDefault,
    EquatableArray<string> Attributes,
    bool IsCancellationToken,
    int AuditIndex,
    DataAnnotations Annotations,
    EquatableArray<PropertySpec> ObjectProperties,
    NullCheck ObjectNullCheck)
{
    public bool IsObjectArgument => !ObjectProperties.IsEmpty;
}

/// <summary>The return value of a tool method.</summary>
internal sealed record ReturnSpec(
    ReturnKind Kind,
    string TypeDisplay,
    string? ResultTypeDisplay,
    string ManifestTypeName,
    DataAnnotations Annotations);

/// <summary>Everything needed to emit one audited tool: its wrapper method and its descriptor.</summary>
internal sealed record ToolSpec(
    string ToolName,
    string MethodName,
    string ContainingTypeName,
    string? Description,
    string Accessibility,
    EnumValue Action,
    string? ResourceType,
    EnumValue Classification,
    EnumValue Domains,
    EnumValue FailurePolicy,
    string TypeParameterList,
    EquatableArray<string> Constraints,
    EquatableArray<string> Attributes,
    EquatableArray<ParameterSpec> Parameters,
    ReturnSpec Return);
