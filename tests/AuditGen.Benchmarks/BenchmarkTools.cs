using System.ComponentModel;

namespace AuditGen.Benchmarks;

/// <summary>The tool measured by the wrapper benchmarks: two arguments, one HMAC-redacted.</summary>
public partial class BenchmarkTools
{
    [AuditedTool(ResourceType = "Patient", Domains = ComplianceDomain.Hipaa, FailurePolicy = AuditFailurePolicy.FailOpen)]
    [Description("Looks up a patient's ward.")]
    public string LookupWard([DataClassification(DataClass.Confidential)][Redact(RedactionStrategy.Hmac)][SubjectId] string mrn, int floor) =>
        floor > 2 ? "north" : "south";

    [AuditedTool("lookup_ward_plain", ResourceType = "Ward", Domains = ComplianceDomain.Soc2, Classification = DataClass.Internal, FailurePolicy = AuditFailurePolicy.FailOpen)]
    [Description("Looks up a ward's wing.")]
    public string LookupWardPlain(string ward, int floor) => floor > 2 ? "north" : "south";

    [AuditedTool("lookup_ward_closed", ResourceType = "Patient", Domains = ComplianceDomain.Hipaa, FailurePolicy = AuditFailurePolicy.FailClosed)]
    public async Task<string> LookupWardClosedAsync([DataClassification(DataClass.Confidential)][Redact(RedactionStrategy.Hmac)][SubjectId] string mrn, int floor)
    {
        await Task.Yield();
        return floor > 2 ? "north" : "south";
    }
}
