using System.CodeDom.Compiler;
using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AuditGen.ModelContextProtocol.Tests;

/// <summary>MCP tools as a clinic would write them: one described by AuditGen attributes, one left to the map.</summary>
[McpServerToolType]
public sealed class ClinicMcpTools
{
    public const string KnownMrn = "MRN-100234";
    public const string PatientName = "Maria Alvarez";
    private static int s_lookups;

    public static int Lookups => Volatile.Read(ref s_lookups);

    [McpServerTool(Name = "lookup_patient"), Description("Looks up a patient by medical record number.")]
    [AuditedTool("lookup_patient", ResourceType = "Patient", Domains = ComplianceDomain.Hipaa, Action = AuditAction.DataAccessed)]
    public static string LookupPatient(
        [DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac), SubjectId] string mrn,
        string reason)
    {
        Interlocked.Increment(ref s_lookups);
        return mrn == KnownMrn ? PatientName + ", ward north-3" : throw new KeyNotFoundException($"No patient {mrn}.");
    }

    [McpServerTool(Name = "refill"), Description("Requests a refill; reports refusals as error results.")]
    public static CallToolResult Refill(string drug) =>
        new() { IsError = true, Content = [new TextContentBlock { Text = "Refill of " + drug + " refused: needs a review." }] };

    [McpServerTool(Name = "get_ward"), Description("Finds a patient's ward.")]
    public static string GetWard(string mrn) => "north-3";
}

/// <summary>Stands in for a generated <c>Audited{Type}</c> wrapper registered as MCP tools: it audits itself.</summary>
[McpServerToolType]
[GeneratedCode("AuditGen.Generators", "1.0.0.0")]
public sealed class AlreadyAuditedTools
{
    [McpServerTool(Name = "whoami")]
    public static string WhoAmI(string greeting) =>
        greeting + " " + AuditContext.Current?.UserId + " in " + AuditContext.Current?.ConversationId;
}
