using System.Buffers.Binary;
using System.Text;
using AuditGen.Erasure;
using AuditGen.Retention;
using AuditGen.Storage;

namespace AuditGen.TrailConformance;

// Sealed values and erasure by crypto-shredding: the vault is outside the store on every store, and the same code
// (SubjectErasure) reads and erases through each store's records.
public abstract partial class TrailConformanceTests
{
    private const string ErasedNote = "Alice Example, HIV positive, lives at 12 Harbour Lane";
    private const string ErasedResult = "Prescribed antiretroviral therapy for Alice Example";
    private const string KeptNote = "Bob Sample, seasonal allergies";

    /// <summary>The folder the store's vault lives in (the one its erasure options name, or the store's default).</summary>
    protected abstract string ErasureVaultDirectory { get; }

    /// <summary>The <see cref="ErasureOptions.VaultDirectory"/> the store is opened with (null: the store's default).</summary>
    protected abstract string? ErasureVaultOption { get; }

    /// <summary>With every trail closed, every byte the store keeps of this test's records (files or rows as text), for plaintext scans.</summary>
    protected abstract Task<byte[]> StoredRecordBytesAsync();

    /// <summary>The store's <c>ReadSealedAsync</c>.</summary>
    protected abstract ValueTask<SealedContent> ReadSealedAsync(IAuditTrail trail, AuditRecord record);

    /// <summary>The store's <c>EraseSubjectAsync</c>.</summary>
    protected abstract Task<SubjectErasureResult> EraseSubjectAsync(IAuditTrail trail, string subjectId, string reason, string requestedBy);

    /// <summary>Options with the test clock, the HMAC key and erasure (the store's vault).</summary>
    protected AuditTrailOptions ErasureTrailOptions(bool readOnly = false) => ConformanceSealing.WithErasure(Options(readOnly), ErasureVaultOption);

    private async Task<IAuditTrail> OpenErasingAsync(bool readOnly = false)
    {
        var trail = await OpenTrailAsync(ErasureTrailOptions(readOnly));
        _open.Add(trail);
        return trail;
    }

    private async Task CloseAllAsync()
    {
        foreach (var trail in _open.ToArray())
            await CloseAsync(trail);
    }

    // Alice's note and result at sequences 0 and 1, Bob's at 2 and 3.
    private async Task<IAuditTrail> WriteTwoSubjectsAsync()
    {
        var trail = await OpenErasingAsync();
        await ConformanceSealing.RecordNoteAsync(trail, "MRN-ALICE", ErasedNote, ErasedResult);
        await ConformanceSealing.RecordNoteAsync(trail, "MRN-BOB", KeptNote, "Prescribed cetirizine");
        return trail;
    }

    private static List<string> Occurrences(byte[] haystack, string text, string where)
    {
        var hits = new List<string>();
        foreach (var (form, needle) in new (string, byte[])[]
        {
            ("UTF-8", Encoding.UTF8.GetBytes(text)),
            ("UTF-16LE", Encoding.Unicode.GetBytes(text)),
            ("UTF-16BE", Encoding.BigEndianUnicode.GetBytes(text)),
            ("base64", Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('='))),
        })
        {
            if (haystack.AsSpan().IndexOf(needle) >= 0)
                hits.Add($"{where} ({form})");
        }
        return hits;
    }

    private List<string> VaultFilesContaining(string text)
    {
        var hits = new List<string>();
        foreach (var file in Directory.GetFiles(ErasureVaultDirectory, "*", SearchOption.AllDirectories))
            hits.AddRange(Occurrences(File.ReadAllBytes(file), text, Path.GetFileName(file)));
        return hits;
    }

    [StoreFact]
    public async Task A_sealed_value_reads_back_from_the_vault_and_only_its_commitment_is_stored()
    {
        var trail = await WriteTwoSubjectsAsync();

        var records = await QueryAsync(trail);
        var read = await ReadSealedAsync(trail, records[0]);

        var value = Assert.Single(read.Values);
        Assert.Equal("arguments.note", value.Path);
        Assert.Equal($"\"{ErasedNote}\"", value.Json);
        Assert.False(value.IsErased);
        Assert.Contains("\"$sealed\"", records[0].Details, StringComparison.Ordinal);
        Assert.DoesNotContain(ErasedNote, records[0].Details, StringComparison.Ordinal);
        Assert.True((await trail.VerifyAsync()).IsValid);
    }

    [StoreFact]
    public async Task After_erasure_a_sealed_value_reads_as_erased_with_who_when_and_why_and_the_chain_still_verifies()
    {
        var trail = await WriteTwoSubjectsAsync();
        var hashesBefore = (await QueryAsync(trail)).Select(r => r.Hash).ToList();
        Time.Advance(TimeSpan.FromDays(30));

        var erasure = await EraseSubjectAsync(trail, "MRN-ALICE", "GDPR Art. 17 request #4711", "dpo@clinic.example");

        var records = await QueryAsync(trail);
        var erased = Assert.Single((await ReadSealedAsync(trail, records[0])).Values);
        var kept = Assert.Single((await ReadSealedAsync(trail, records[2])).Values);
        Assert.Equal(SubjectErasureOutcome.Erased, erasure.Outcome);
        Assert.Equal((2, 2), (erasure.Records, erasure.SealedValues));   // Alice's call: invoked and completed, one sealed value each
        Assert.True(erased.IsErased);
        Assert.Null(erased.Json);
        Assert.Equal("dpo@clinic.example", erased.Erasure!.RequestedBy);
        Assert.Equal("GDPR Art. 17 request #4711", erased.Erasure.Reason);
        Assert.Equal(Time.GetUtcNow(), erased.Erasure.ErasedAt);
        Assert.Equal(erasure.Record!.Sequence, erased.Erasure.RecordSequence);
        Assert.Equal($"\"{KeptNote}\"", kept.Json);
        Assert.Equal(AuditAction.SubjectErased, records[^1].Action);
        Assert.Equal(hashesBefore, records.Take(hashesBefore.Count).Select(r => r.Hash));
        var verified = await trail.VerifyAsync();
        Assert.True(verified.IsValid, verified.Reason);
    }

    [StoreFact]
    public async Task After_erasure_no_plaintext_of_the_erased_values_is_left_in_the_vault_or_the_stored_records()
    {
        var trail = await WriteTwoSubjectsAsync();
        await EraseSubjectAsync(trail, "MRN-ALICE", "Request of MRN-ALICE by letter", "dpo@clinic.example");
        await CloseAllAsync();

        var stored = await StoredRecordBytesAsync();
        var hits = new List<string>();
        foreach (var secret in new[] { ErasedNote, ErasedResult, "MRN-ALICE" })
        {
            hits.AddRange(VaultFilesContaining(secret));
            hits.AddRange(Occurrences(stored, secret, "stored records"));
        }

        Assert.Empty(hits);
        // The scan reads the real storage: the records' commitment markers are in it.
        Assert.NotEmpty(Occurrences(stored, "$sealed", "stored records"));
        Assert.NotEmpty(Directory.GetFiles(ErasureVaultDirectory));
    }

    [StoreFact]
    public async Task A_legal_hold_on_the_subject_refuses_erasure_and_destroys_nothing()
    {
        var trail = await WriteTwoSubjectsAsync();
        await LegalHolds.PlaceAsync(trail, LegalHoldScope.Subject("MRN-ALICE"), "Matter 2025-114", "counsel.ana");
        var countBefore = (await QueryAsync(trail)).Count;

        var error = await Assert.ThrowsAsync<SubjectUnderLegalHoldException>(
            () => EraseSubjectAsync(trail, "MRN-ALICE", "GDPR Art. 17 request #4711", "dpo@clinic.example"));

        var records = await QueryAsync(trail);
        Assert.Contains("Nothing was destroyed", error.Message, StringComparison.Ordinal);
        Assert.Equal(countBefore, records.Count);
        Assert.DoesNotContain(records, r => r.Action == AuditAction.SubjectErased);
        Assert.Equal($"\"{ErasedNote}\"", Assert.Single((await ReadSealedAsync(trail, records[0])).Values).Json);
    }

    [StoreFact]
    public async Task A_second_erasure_of_the_same_subject_says_already_erased_and_records_nothing()
    {
        var trail = await WriteTwoSubjectsAsync();
        var first = await EraseSubjectAsync(trail, "MRN-ALICE", "GDPR Art. 17 request #4711", "dpo@clinic.example");

        var second = await EraseSubjectAsync(trail, "MRN-ALICE", "GDPR Art. 17 request #4711 (again)", "dpo@clinic.example");

        Assert.Equal(SubjectErasureOutcome.AlreadyErased, second.Outcome);
        Assert.Equal(first.Record, second.Record);
        Assert.Single(await QueryAsync(trail, new AuditQuery { Action = AuditAction.SubjectErased }));
        Assert.Equal(SubjectErasureOutcome.UnknownSubject, (await EraseSubjectAsync(trail, "MRN-NOBODY", "request", "dpo")).Outcome);
    }

    [StoreFact]
    public async Task A_tampered_vault_payload_reads_as_tampered_content()
    {
        var trail = await WriteTwoSubjectsAsync();
        var record = (await QueryAsync(trail))[0];
        Assert.True(SealFormat.TryParseHeader(record.Sealed, out var keyNumber, out _));
        await CloseAllAsync();
        FlipFirstCiphertextByte(Path.Combine(ErasureVaultDirectory, VaultFiles.PayloadFileName(keyNumber)));

        var reader = await OpenErasingAsync(readOnly: true);
        var error = await Assert.ThrowsAsync<SealedContentTamperedException>(async () => await ReadSealedAsync(reader, record));

        Assert.Equal(SealedContentProblem.AuthenticationFailed, error.Problem);
        Assert.Equal(0, error.Sequence);
    }

    // Alters the first frame's ciphertext and fixes its CRC: the frame is intact as a file format, only AES-GCM can tell.
    private static void FlipFirstCiphertextByte(string payloadFile)
    {
        var bytes = File.ReadAllBytes(payloadFile);
        var frame = VaultFiles.PayloadHeaderLength;
        var cipherLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(frame + 4));
        bytes[frame + VaultFiles.FrameHeaderLength] ^= 0x01;
        var body = VaultFiles.FrameHeaderLength + cipherLength;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(frame + body), Crc32C.Finish(Crc32C.Append(0xFFFFFFFF, bytes.AsSpan(frame, body))));
        File.WriteAllBytes(payloadFile, bytes);
    }
}
