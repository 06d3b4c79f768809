using System.Diagnostics;
using AuditGen.Erasure;

namespace AuditGen.CrashWriter;

/// <summary>The erasure crash: seal, then die by SIGKILL in the middle of erasing one subject.</summary>
internal static class EraseCrash
{
    // The same keys as tests/AuditGen.Tests/Erasure/SealingFixture.cs, so the test reopens what this wrote.
    public static readonly byte[] HmacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    public static readonly byte[] CommitmentKey = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    private static readonly ToolDescriptor RecordNote = new(
        "record_note", "AuditGen.Tests.Erasure.NoteTools", "RecordNoteAsync", "Records a clinical note.",
        AuditAction.DataModified, "Note", DataClass.Restricted, ComplianceDomain.Hipaa | ComplianceDomain.Gdpr, AuditFailurePolicy.FailClosed,
        [
            new ToolParameter("mrn", "string", DataClass.Confidential, RedactionStrategy.Hmac, ToolParameterRole.SubjectId, []),
            new ToolParameter("note", "string", DataClass.Restricted, RedactionStrategy.Seal, ToolParameterRole.None, []),
        ],
        new ToolReturn("string", DataClass.Restricted, RedactionStrategy.Seal));

    public static async Task<int> RunAsync(string path, string step, TextWriter output)
    {
        var trail = AuditTrail.OpenLiteDb(path, new AuditTrailOptions
        {
            HmacKey = HmacKey,
            Erasure = new ErasureOptions { CommitmentKey = CommitmentKey },
        });
        await NoteAsync(trail, "MRN-ALICE", "Alice Example: crash-test note", "Alice Example: crash-test result");
        await NoteAsync(trail, "MRN-BOB", "Bob Sample: crash-test note", "Bob Sample: crash-test result");
        output.WriteLine("WRITTEN");
        ErasureSteps.OnStep = reached =>
        {
            if (reached == step)
            {
                output.WriteLine("KILLED " + step);
                Process.GetCurrentProcess().Kill(); // SIGKILL: no finally, no dispose, no flush
            }
        };
        await trail.EraseSubjectAsync("MRN-ALICE", "crash test", "dpo");
        output.WriteLine("NOT KILLED");
        return 3;
    }

    private static async Task NoteAsync(IAuditTrail trail, string mrn, string note, string result)
    {
        var call = ToolInvocation.Start(trail, RecordNote);
        call.Argument(0, mrn);
        call.Argument(1, note);
        await call.InvokedAsync();
        await call.CompletedAsync(result);
    }
}
