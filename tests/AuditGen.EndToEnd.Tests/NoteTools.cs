using System.ComponentModel;

namespace AuditGen.EndToEnd.Tests;

/// <summary>A tool whose clinical note and reply are sealed (kept encrypted per patient, erasable); the interface lets Castle proxy it.</summary>
public interface INoteTools
{
    Task<string> RecordNoteAsync(string mrn, string note);
}

public partial class NoteTools : INoteTools
{
    public int Runs;

    [AuditedTool(ResourceType = "Note", Domains = ComplianceDomain.Hipaa | ComplianceDomain.Gdpr, Action = AuditAction.DataModified)]
    [Description("Records a clinical note.")]
    [return: DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Seal)]
    public Task<string> RecordNoteAsync(
        [DataClassification(DataClass.Confidential), Redact(RedactionStrategy.Hmac), SubjectId] string mrn,
        [DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Seal)] string note)
    {
        Runs++;
        return Task.FromResult($"Filed note for {mrn}: {note.Length} characters");
    }
}
