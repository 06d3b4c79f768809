namespace AuditGen.Hosting;

/// <summary>An audited tool type registered with <c>AddAuditedTools</c>: its descriptors let the start-up check see which keys the tools need.</summary>
internal sealed record AuditedToolsRegistration(Type WrapperType, IReadOnlyList<ToolDescriptor> Tools);
