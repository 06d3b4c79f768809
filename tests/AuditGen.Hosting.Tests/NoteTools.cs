namespace AuditGen.Hosting.Tests;

/// <summary>A tool that seals its note, so the trail needs a commitment key.</summary>
public partial class NoteTools
{
    [AuditedTool(ResourceType = "Note", Domains = ComplianceDomain.Gdpr)]
    public string RecordNote([SubjectId] string patientId, [DataClassification(DataClass.Restricted)][Redact(RedactionStrategy.Seal)] string note) => "filed";
}
