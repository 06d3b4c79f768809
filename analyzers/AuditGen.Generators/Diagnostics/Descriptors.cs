using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace AuditGen.Generators.Diagnostics;

/// <summary>
/// Every AuditGen diagnostic, once. IDs are a contract: add new ones here and to AnalyzerReleases.Unshipped.md, and
/// give each a section in docs/diagnostics.md (the help link points at it).
/// </summary>
/// <remarks>
/// Who reports what: the analyzers in <c>Analyzers/</c> report every ID (so the IDE shows them live and code fixes
/// apply). The generator reports only what it alone can know: duplicate tool names across the compilation (AUDIT006,
/// from its collected view of all tools) and a method it failed to analyse (AUDIT003). Neither reports the other's cases.
/// </remarks>
internal static class Descriptors
{
    public const string Category = "AuditGen";

    /// <summary>The anchor base of every help link.</summary>
    public const string HelpLinkBase = "https://github.com/auditgen/auditgen/blob/main/docs/diagnostics.md#";

    /// <summary>AUDIT001: a tool method that is not audited.</summary>
    public static readonly DiagnosticDescriptor ToolNotAudited = Create(
        "AUDIT001",
        "Agent tool is not audited",
        "The tool method '{0}' is not audited ({1}); add [AuditedTool] or [NotAudited(\"why\")]",
        DiagnosticSeverity.Warning,
        "A public method that an agent can call (it carries [Description], [KernelFunction] or [McpServerTool], or its class has audited tools or is an [McpServerToolType]) must be audited, or exempted with a reviewed justification.");

    /// <summary>AUDIT002: a parameter (or a property of an argument) that looks like PHI/PII has no classification.</summary>
    public static readonly DiagnosticDescriptor PersonalDataNotClassified = Create(
        "AUDIT002",
        "Personal data is not classified",
        "{0} looks like personal data ({1}) but has no classification or redaction; add [DataClassification] and [Redact]",
        DiagnosticSeverity.Error,
        "Values whose name or type says PHI/PII (SSN, date of birth, MRN, diagnosis, names, e-mail, phone, address, card and account numbers, passport, driver's license, ...) are recorded in clear in the audit trail unless they are classified or redacted.");

    /// <summary>AUDIT003: the tool cannot be wrapped (the reason is the second message argument).</summary>
    public static readonly DiagnosticDescriptor ToolCannotBeWrapped = Create(
        "AUDIT003",
        "Audited tool cannot be wrapped",
        "The audited tool '{0}' cannot be wrapped: {1}",
        DiagnosticSeverity.Error,
        "The generator emits an audited wrapper with exactly the tool's signature. Parameters passed by reference, pointers, ref structs, ref returns, static or inaccessible methods, and containing types that are not partial or not accessible cannot be wrapped.");

    /// <summary>AUDIT004: a classified value flows unredacted into a log or console sink.</summary>
    public static readonly DiagnosticDescriptor ClassifiedDataLogged = Create(
        "AUDIT004",
        "Classified data is written to a log",
        "The {0} parameter '{1}' flows unredacted into '{2}'; redact it first",
        DiagnosticSeverity.Error,
        "Logs, consoles and trace listeners are not audit trails: they are copied, shipped and kept without the trail's redaction. A Confidential or Restricted value must be redacted before it reaches them.");

    /// <summary>AUDIT005: an audited tool with neither a classification nor a compliance domain.</summary>
    public static readonly DiagnosticDescriptor ToolNotClassified = Create(
        "AUDIT005",
        "Audited tool has no classification or compliance domain",
        "The audited tool '{0}' has neither a classification nor a compliance domain; set Classification or Domains, or classify its data",
        DiagnosticSeverity.Warning,
        "Retention, access reviews and reports are driven by a record's classification and compliance domains; a tool with neither is recorded as Internal under no regime.");

    /// <summary>AUDIT006: invalid attribute arguments.</summary>
    public static readonly DiagnosticDescriptor InvalidAttributeArguments = Create(
        "AUDIT006",
        "Invalid audited tool attribute arguments",
        "'{0}' has an invalid attribute argument: {1}",
        DiagnosticSeverity.Error,
        "Tool names must be non-empty and unique in the compilation, and enum arguments must be defined values of their enum.");

    /// <summary>AUDIT007: [NotAudited] without a justification.</summary>
    public static readonly DiagnosticDescriptor NotAuditedWithoutJustification = Create(
        "AUDIT007",
        "[NotAudited] needs a justification",
        "[NotAudited] on '{0}' has no justification; say why it need not be audited",
        DiagnosticSeverity.Warning,
        "An exemption from auditing is a compliance decision that reviewers and auditors read; an empty justification records none.");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new()
    {
        [ToolNotAudited.Id] = ToolNotAudited,
        [PersonalDataNotClassified.Id] = PersonalDataNotClassified,
        [ToolCannotBeWrapped.Id] = ToolCannotBeWrapped,
        [ClassifiedDataLogged.Id] = ClassifiedDataLogged,
        [ToolNotClassified.Id] = ToolNotClassified,
        [InvalidAttributeArguments.Id] = InvalidAttributeArguments,
        [NotAuditedWithoutJustification.Id] = NotAuditedWithoutJustification,
    };

    /// <summary>Every descriptor, by ID.</summary>
    public static IReadOnlyDictionary<string, DiagnosticDescriptor> All => s_byId;

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
