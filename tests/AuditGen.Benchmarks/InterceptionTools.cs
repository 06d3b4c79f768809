using System.ComponentModel;

namespace AuditGen.Benchmarks;

/// <summary>The tool the interception benchmarks call on every path: behind an interface so Castle can proxy it.</summary>
public interface IInterceptionTools
{
    string FindWard(string ward, int floor);

    string FindPatientWard(string mrn, int floor);
}

public partial class InterceptionTools : IInterceptionTools
{
    [AuditedTool("find_ward", ResourceType = "Ward", Domains = ComplianceDomain.Soc2, Classification = DataClass.Internal, FailurePolicy = AuditFailurePolicy.FailOpen)]
    [Description("Finds a ward's wing.")]
    public string FindWard(string ward, int floor) => floor > 2 ? "north" : "south";

    [AuditedTool("find_patient_ward", ResourceType = "Patient", Domains = ComplianceDomain.Hipaa, FailurePolicy = AuditFailurePolicy.FailOpen)]
    [Description("Finds a patient's ward.")]
    public string FindPatientWard([DataClassification(DataClass.Confidential)][Redact(RedactionStrategy.Hmac)][SubjectId] string mrn, int floor) =>
        floor > 2 ? "north" : "south";
}
