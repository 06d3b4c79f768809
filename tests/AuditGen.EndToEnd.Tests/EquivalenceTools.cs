using System.ComponentModel;

namespace AuditGen.EndToEnd.Tests;

public sealed record WardSummary(string Name, int Beds);

public sealed record Transfer(
    [property: DataClassification(DataClass.Restricted)][property: SubjectId][property: Redact(RedactionStrategy.Hmac)] string Mrn,
    [property: DataClassification(DataClass.Confidential)] string Reason,
    string Ward);

/// <summary>The tools the three audit paths are compared on: the interface lets Castle proxy the same implementation.</summary>
public interface IWardTools
{
    Task<Patient> AdmitAsync(string mrn, DateOnly since, int bed = 1);
    string Transfer(Transfer transfer, string note);
    ValueTask<WardSummary> SummarizeAsync(string ward);
    Task ArchiveAsync(int chartId);
}

public partial class WardTools : IWardTools
{
    public const string KnownMrn = "MRN-6502";
    public const string KnownName = "Mary Seacole";

    [AuditedTool(ResourceType = "Patient", Domains = ComplianceDomain.Hipaa, Action = AuditAction.DataModified)]
    [Description("Admits a patient to a bed.")]
    [return: DataClassification(DataClass.Restricted)]
    public async Task<Patient> AdmitAsync([DataClassification(DataClass.Restricted)][Redact(RedactionStrategy.Hmac)][SubjectId] string mrn, DateOnly since, int bed = 1)
    {
        await Task.Yield();
        return mrn == KnownMrn ? new Patient(mrn, KnownName, 41) : throw new KeyNotFoundException($"Patient {mrn} is not registered");
    }

    [AuditedTool("transfer_patient", ResourceType = "Transfer", Domains = ComplianceDomain.Hipaa)]
    public string Transfer(Transfer transfer, [Redact(RedactionStrategy.LengthOnly)] string note) => $"moved to {transfer.Ward}";

    [AuditedTool(Domains = ComplianceDomain.Soc2, Classification = DataClass.Internal)]
    public async ValueTask<WardSummary> SummarizeAsync(string ward)
    {
        await Task.Yield();
        return new WardSummary(ward, ward.Length);
    }

    [AuditedTool("archive_chart", ResourceType = "Chart", Domains = ComplianceDomain.Hipaa, Classification = DataClass.Confidential)]
    public Task ArchiveAsync([ResourceId] int chartId) => Task.CompletedTask;
}
