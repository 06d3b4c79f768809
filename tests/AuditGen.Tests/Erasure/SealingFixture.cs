using System.Text;
using AuditGen.Erasure;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Erasure;

/// <summary>
/// A clinical-notes tool written by hand exactly as the generator emits a wrapper, whose note argument and result are
/// sealed: <c>record_note([SubjectId, Hmac] mrn, [Seal] note) → [Seal] string</c>; and trail options with both keys.
/// </summary>
internal static class SealingFixture
{
    public static readonly byte[] HmacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    public static readonly byte[] CommitmentKey = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    public static readonly ToolDescriptor RecordNoteTool = new(
        "record_note", "AuditGen.Tests.Erasure.NoteTools", "RecordNoteAsync", "Records a clinical note.",
        AuditAction.DataModified, "Note", DataClass.Restricted, ComplianceDomain.Hipaa | ComplianceDomain.Gdpr, AuditFailurePolicy.FailClosed,
        [
            new ToolParameter("mrn", "string", DataClass.Confidential, RedactionStrategy.Hmac, ToolParameterRole.SubjectId, []),
            new ToolParameter("note", "string", DataClass.Restricted, RedactionStrategy.Seal, ToolParameterRole.None, []),
        ],
        new ToolReturn("string", DataClass.Restricted, RedactionStrategy.Seal));

    /// <summary>The same tool without a subject parameter: the subject must come from the audit context.</summary>
    public static readonly ToolDescriptor AnonymousNoteTool = new(
        "record_anonymous_note", "AuditGen.Tests.Erasure.NoteTools", "RecordAnonymousNoteAsync", null,
        AuditAction.DataModified, "Note", DataClass.Restricted, ComplianceDomain.Gdpr, AuditFailurePolicy.FailClosed,
        [new ToolParameter("note", "string", DataClass.Restricted, RedactionStrategy.Seal, ToolParameterRole.None, [])],
        ToolReturn.Void);

    public static AuditTrailOptions Options(TrailFolder folder, bool readOnly = false) => new()
    {
        TimeProvider = folder.Time,
        HmacKey = HmacKey,
        Erasure = new ErasureOptions { CommitmentKey = CommitmentKey },
        ReadOnly = readOnly,
    };

    public static LiteDbAuditTrail Open(TrailFolder folder, bool readOnly = false) => AuditTrail.OpenLiteDb(folder.DbPath, Options(folder, readOnly));

    /// <summary>One audited call of record_note: the tool "runs" (counted in <paramref name="runs"/>) and returns <paramref name="result"/>.</summary>
    public static async Task RecordNoteAsync(IAuditTrail trail, string mrn, string note, string result, StrongBox<int>? runs = null)
    {
        var call = ToolInvocation.Start(trail, RecordNoteTool);
        call.Argument(0, mrn);
        call.Argument(1, note);
        await call.InvokedAsync();
        if (runs is not null)
            runs.Value++;
        await call.CompletedAsync(result);
    }

    public static async Task RecordAnonymousNoteAsync(IAuditTrail trail, string note)
    {
        var call = ToolInvocation.Start(trail, AnonymousNoteTool);
        call.Argument(0, note);
        await call.InvokedAsync();
        await call.CompletedAsync();
    }

    /// <summary>Every record of the trail, in order.</summary>
    public static async Task<List<AuditRecord>> RecordsAsync(IAuditTrail trail)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(new AuditQuery()))
            records.Add(record);
        return records;
    }

    /// <summary>
    /// Which files under <paramref name="root"/> (recursively: store, journal, tree, lock, vault, LiteDB log and temp
    /// files, checkpoints, archive segments and manifests) contain <paramref name="text"/> as UTF-8, UTF-16 (LE and BE),
    /// or the base64 of its UTF-8; gzip files (archive segments) are searched decompressed too.
    /// </summary>
    public static List<string> FilesContaining(string root, string text)
    {
        var needles = new List<(string Form, byte[] Bytes)>
        {
            ("UTF-8", Encoding.UTF8.GetBytes(text)),
            ("UTF-16LE", Encoding.Unicode.GetBytes(text)),
            ("UTF-16BE", Encoding.BigEndianUnicode.GetBytes(text)),
            ("base64", Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('='))),
        };
        var hits = new List<string>();
        foreach (var file in Directory.GetFiles(root, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }
            if (file.EndsWith(".gz", StringComparison.Ordinal))
            {
                using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gzip.CopyTo(plain);
                bytes = [.. bytes, .. plain.ToArray()];
            }
            foreach (var (form, needle) in needles)
            {
                if (bytes.AsSpan().IndexOf(needle) >= 0)
                    hits.Add($"{Path.GetRelativePath(root, file)} ({form})");
            }
        }
        return hits;
    }
}

/// <summary>A mutable box for counting tool runs from a helper.</summary>
internal sealed class StrongBox<T>
{
    public T Value = default!;
}
