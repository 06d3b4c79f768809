namespace AuditGen.Generators.Model;

/// <summary>A tool name and where it was declared: the input of the duplicate-name check.</summary>
internal sealed record ToolNameClaim(string ToolName, string MethodDisplay, LocationInfo? Location);

/// <summary>
/// The location-free model of one [AuditedTool] method: the key of its containing type, the type's shell (null when
/// the type cannot host a wrapper) and the tool (null when the method cannot be wrapped).
/// </summary>
internal sealed record ToolModel(string TypeKey, WrapperShell? Shell, ToolSpec? Tool);

/// <summary>What parsing one [AuditedTool] method yields: the model, its name claim and its diagnostics.</summary>
internal sealed record MethodResult(ToolModel Model, ToolNameClaim? NameClaim, EquatableArray<DiagnosticInfo> Diagnostics);
