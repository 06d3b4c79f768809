using System.Security.Claims;

namespace AuditGen.ModelContextProtocol;

/// <summary>How <c>WithAuditing</c> records the tools/call requests of an MCP server.</summary>
public sealed class McpAuditOptions
{
    /// <summary>
    /// Classification, redaction and roles of tools by name, for tools whose code carries no AuditGen attributes (or is
    /// not .NET at all). A tool backed by a method with <c>[AuditedTool]</c> / <c>[DataClassification]</c> attributes
    /// is described by them; a mapping adds to them and never lowers a classification. Unmapped, unannotated tools are
    /// recorded as internal with their arguments as they are: map every parameter that carries personal data.
    /// </summary>
    /// <example><c>options.Tools.Tool("lookup_patient").Classification(DataClass.Restricted).Classify("mrn", DataClass.Restricted, RedactionStrategy.Hmac).SubjectId("mrn");</c></example>
    public ToolMap Tools { get; } = new();

    /// <summary>The agent name recorded with each call; default: the MCP client's name from its initialize request.</summary>
    public string? AgentName { get; set; }

    /// <summary>
    /// The user id recorded for an authenticated request's principal; default: its <see cref="ClaimTypes.NameIdentifier"/>
    /// claim, else its identity name. Not consulted for requests without an authenticated user.
    /// </summary>
    public Func<ClaimsPrincipal, string?> UserId { get; set; } = DefaultUserId;

    private static string? DefaultUserId(ClaimsPrincipal principal) =>
        principal.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? principal.Identity?.Name;
}
