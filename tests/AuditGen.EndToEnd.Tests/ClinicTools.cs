using System.ComponentModel;

namespace AuditGen.EndToEnd.Tests;

public sealed record Patient(string Mrn, string Name, int Age);

public sealed record Referral(
    [property: DataClassification(DataClass.Restricted)][property: SubjectId] string Mrn,
    [property: DataClassification(DataClass.Confidential)] string Reason,
    string Department);

public interface IClinic
{
    Task<Patient> LookupPatientAsync(string mrn, CancellationToken cancellationToken = default);

    string Greeting { get; }
}

/// <summary>One tool per supported shape, all audited by the generated <c>AuditedClinicTools</c>.</summary>
public partial class ClinicTools : IClinic
{
    public const string KnownMrn = "MRN-7391";
    public const string KnownName = "Ada Quintessa Lovelace";
    public int Calls;

    public string Greeting => "hello";

    [AuditedTool(ResourceType = "Patient", Domains = ComplianceDomain.Hipaa)]
    [Description("Looks up a patient by medical record number.")]
    public async Task<Patient> LookupPatientAsync(
        [DataClassification(DataClass.Restricted)][Redact(RedactionStrategy.Hmac)][SubjectId][Description("The MRN.")] string mrn,
        CancellationToken cancellationToken = default)
    {
        Calls++;
        await Task.Yield();
        if (mrn != KnownMrn) throw new KeyNotFoundException($"Patient {mrn} not found");
        return new Patient(KnownMrn, KnownName, 36);
    }

    [AuditedTool("count_beds", Domains = ComplianceDomain.Soc2, Classification = DataClass.Internal)]
    public int CountBeds(string ward, int floor = 1)
    {
        Calls++;
        return ward.Length + floor;
    }

    [AuditedTool(Domains = ComplianceDomain.Soc2, Classification = DataClass.Internal)]
    public void Ping(params string[] tags) => Calls++;

    [AuditedTool(Domains = ComplianceDomain.Hipaa, Classification = DataClass.Confidential)]
    public async ValueTask<string> ReadNoteAsync([ResourceId] int noteId)
    {
        Calls++;
        await Task.Yield();
        return $"note {noteId}";
    }

    [AuditedTool(Domains = ComplianceDomain.Hipaa, Classification = DataClass.Internal)]
    public ValueTask TouchAsync(string ward)
    {
        Calls++;
        return ValueTask.CompletedTask;
    }

    [AuditedTool(Domains = ComplianceDomain.Hipaa, Classification = DataClass.Internal)]
    public Task ArchiveAsync(string ward)
    {
        Calls++;
        return Task.CompletedTask;
    }

    [AuditedTool(Domains = ComplianceDomain.Soc2, Classification = DataClass.Internal)]
    public T Echo<T>(T value) where T : notnull
    {
        Calls++;
        return value;
    }

    [AuditedTool("find_ward_by_name", Domains = ComplianceDomain.Soc2, Classification = DataClass.Internal)]
    public string FindWard(string name) => name.ToUpperInvariant();

    [AuditedTool("find_ward_by_floor", Domains = ComplianceDomain.Soc2, Classification = DataClass.Internal)]
    public string FindWard(int floor) => $"floor-{floor}";

    [AuditedTool(ResourceType = "Referral", Domains = ComplianceDomain.Hipaa)]
    public string Refer(Referral referral)
    {
        Calls++;
        return referral.Department;
    }

    [AuditedTool(Domains = ComplianceDomain.Hipaa, Classification = DataClass.Restricted)]
    public string FailSynchronously([DataClassification(DataClass.Restricted)] string mrn) =>
        throw new InvalidOperationException($"Record {mrn} is locked");

    [AuditedTool(Domains = ComplianceDomain.Soc2, Classification = DataClass.Internal)]
    public string Describe(object value) => value.GetType().Name;
}
