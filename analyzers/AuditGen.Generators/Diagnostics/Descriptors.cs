using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace AuditGen.Generators.Diagnostics;

/// <summary>Every AuditGen diagnostic, once. IDs are stable; add new ones here and to AnalyzerReleases.Unshipped.md.</summary>
internal static class Descriptors
{
    public const string Category = "AuditGen";

    private const string HelpLinkBase = "https://github.com/auditgen/auditgen/blob/main/docs/diagnostics.md#";

    /// <summary>AUDIT003: the tool cannot be wrapped (the reason is the second message argument).</summary>
    public static readonly DiagnosticDescriptor ToolCannotBeWrapped = Create(
        "AUDIT003",
        "Audited tool cannot be wrapped",
        "The audited tool '{0}' cannot be wrapped: {1}",
        DiagnosticSeverity.Error,
        "The generator emits an audited wrapper with exactly the tool's signature. Parameters passed by reference, pointers, ref structs, ref returns, static or inaccessible methods, and containing types that are not partial or not accessible cannot be wrapped.");

    /// <summary>AUDIT006: invalid [AuditedTool] (or classification) attribute arguments.</summary>
    public static readonly DiagnosticDescriptor InvalidAttributeArguments = Create(
        "AUDIT006",
        "Invalid audited tool attribute arguments",
        "The audited tool '{0}' has an invalid attribute argument: {1}",
        DiagnosticSeverity.Error,
        "Tool names must be non-empty and unique in the compilation, and enum arguments must be defined values of their enum.");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new()
    {
        [ToolCannotBeWrapped.Id] = ToolCannotBeWrapped,
        [InvalidAttributeArguments.Id] = InvalidAttributeArguments,
    };

    /// <summary>The descriptor with <paramref name="id"/>.</summary>
    public static DiagnosticDescriptor Get(string id) => s_byId[id];

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity, string description)
        => new(
            id,
            title,
            message,
            Category,
            severity,
            isEnabledByDefault: true,
            description: description,
            helpLinkUri: HelpLinkBase + id.ToLowerInvariant());
}
