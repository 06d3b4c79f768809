using System.ComponentModel;

namespace AuditGen.Hosting.Tests;

/// <summary>Tools registered through DI: one pseudonymises its argument with HMAC, so the trail needs a key.</summary>
public partial class WardTools(WardDirectory directory)
{
    [AuditedTool(ResourceType = "Ward", Domains = ComplianceDomain.Hipaa, FailurePolicy = AuditFailurePolicy.FailClosed)]
    [Description("Finds the ward a patient is on.")]
    public string FindWard([DataClassification(DataClass.Confidential)][Redact(RedactionStrategy.Hmac)][SubjectId] string mrn) => directory.WardOf(mrn);
}

/// <summary>Tools that need no HMAC key.</summary>
public partial class RosterTools
{
    [AuditedTool("list_shifts", Classification = DataClass.Internal, Domains = ComplianceDomain.Soc2)]
    [Description("Lists a ward's shifts.")]
    public IReadOnlyList<string> ListShifts(string ward) => [ward + ": early", ward + ": late"];
}

/// <summary>A dependency of <see cref="WardTools"/>, resolved from the container.</summary>
public sealed class WardDirectory
{
    public string WardOf(string mrn) => mrn.EndsWith('7') ? "cardiology" : "oncology";
}
