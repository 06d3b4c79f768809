using AuditGen.Erasure;

namespace AuditGen.TrailConformance;

/// <summary>Sealed values for the erasure facts and the stores' own erasure tests: a tool whose note and result are sealed, and the keys.</summary>
public static class ConformanceSealing
{
    /// <summary>The HMAC key (the subject argument is HMAC'd).</summary>
    public static readonly byte[] HmacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    /// <summary>The commitment key.</summary>
    public static readonly byte[] CommitmentKey = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    /// <summary><c>record_note([SubjectId, Hmac] mrn, [Seal] note) → [Seal] string</c>, as the generator would describe it.</summary>
    public static readonly ToolDescriptor NoteTool = new(
        "record_note", "AuditGen.TrailConformance.NoteTools", "RecordNoteAsync", "Records a clinical note.",
        AuditAction.DataModified, "Note", DataClass.Restricted, ComplianceDomain.Hipaa | ComplianceDomain.Gdpr, AuditFailurePolicy.FailClosed,
        [
            new ToolParameter("mrn", "string", DataClass.Confidential, RedactionStrategy.Hmac, ToolParameterRole.SubjectId, []),
            new ToolParameter("note", "string", DataClass.Restricted, RedactionStrategy.Seal, ToolParameterRole.None, []),
        ],
        new ToolReturn("string", DataClass.Restricted, RedactionStrategy.Seal));

    /// <summary><paramref name="options"/> with the HMAC key and erasure into <paramref name="vaultDirectory"/> (null: the store's default).</summary>
    public static AuditTrailOptions WithErasure(AuditTrailOptions options, string? vaultDirectory)
    {
        options.HmacKey = HmacKey;
        options.Erasure = new ErasureOptions { CommitmentKey = CommitmentKey, VaultDirectory = vaultDirectory };
        return options;
    }

    /// <summary>One audited call of record_note (two records: invoked with the sealed note, completed with the sealed result).</summary>
    public static async Task RecordNoteAsync(IAuditTrail trail, string mrn, string note, string result)
    {
        var call = ToolInvocation.Start(trail, NoteTool);
        call.Argument(0, mrn);
        call.Argument(1, note);
        await call.InvokedAsync();
        await call.CompletedAsync(result);
    }
}
