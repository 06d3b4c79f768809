namespace AuditGen.Generators.Model;

/// <summary>An outer type a nested tool type sits in; the wrapper is emitted inside the same partial outer types.</summary>
internal sealed record OuterTypeSpec(string Keyword, string Name, string TypeParameterList);

internal enum InterfaceMemberKind
{
    Method,
    Property,
    Indexer,
    Event,
}

/// <summary>A parameter of an interface member the wrapper implements explicitly.</summary>
internal sealed record SignatureParameter(string Modifier, string TypeDisplay, string Identifier);

/// <summary>
/// An abstract instance member of an interface the tool type implements. The wrapper implements it explicitly,
/// routing to its own audited method when the inner type implements it with a wrappable tool, else to the inner instance.
/// </summary>
internal sealed record InterfaceMemberSpec(
    InterfaceMemberKind Kind,
    string InterfaceType,
    string Name,
    string TypeDisplay,
    string RefPrefix,
    bool ReturnsVoid,
    string TypeParameterList,
    EquatableArray<SignatureParameter> Parameters,
    bool HasGet,
    bool HasSet,
    bool HasInit,
    bool RouteToWrapper);

/// <summary>The type-level part of a wrapper: where it goes, what it is called and which interfaces it implements.</summary>
internal sealed record WrapperShell(
    string? Namespace,
    EquatableArray<OuterTypeSpec> OuterTypes,
    string WrapperName,
    string TypeParameterList,
    EquatableArray<string> Constraints,
    string InnerTypeDisplay,
    string Accessibility,
    bool InnerIsValueType,
    string HintName,
    EquatableArray<string> Interfaces,
    EquatableArray<InterfaceMemberSpec> InterfaceMembers,
    bool Registrable);

/// <summary>One wrapper to emit: the shell of a tool type and all its wrappable tools.</summary>
internal sealed record WrapperSpec(WrapperShell Shell, EquatableArray<ToolSpec> Tools);

/// <summary>One tool type that the generated <c>AddAuditedTools&lt;TTools&gt;()</c> can register: both fully qualified.</summary>
internal sealed record RegistrationSpec(string ToolsType, string WrapperType);

/// <summary>The registrable tool types of the compilation, and whether it references AuditGen's hosting (so the helper compiles).</summary>
internal sealed record RegistrationsSpec(EquatableArray<RegistrationSpec> Types, bool HostingAvailable);

/// <summary>The assembly-wide manifest: every wrappable tool in the compilation.</summary>
internal sealed record ManifestSpec(EquatableArray<ToolSpec> Tools);
