using System.Text.Json;
using AuditGen.Erasure;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Erasure;

public sealed class SealingTests : IDisposable
{
    private const string Note = "Patient reports chest pain radiating to the left arm since Tuesday";
    private const string Result = "Referred to cardiology, ECG booked for Thursday morning";
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_sealed_argument_is_recorded_as_a_commitment_only()
    {
        await using var trail = SealingFixture.Open(_folder);
        await SealingFixture.RecordNoteAsync(trail, "MRN-100234", Note, Result);

        var invoked = (await SealingFixture.RecordsAsync(trail))[0];
        using var details = JsonDocument.Parse(invoked.Details!);
        var note = details.RootElement.GetProperty("arguments").GetProperty("note");
        Assert.Equal(JsonValueKind.Object, note.ValueKind);
        Assert.Equal(43, note.GetProperty("$sealed").GetString()!.Length); // base64url of a 32-byte HMAC
        Assert.DoesNotContain("chest pain", invoked.Details, StringComparison.Ordinal);
        Assert.StartsWith("vault:v1:0:", invoked.Sealed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reading_a_sealed_record_returns_the_full_values_checked_against_their_commitments()
    {
        await using var trail = SealingFixture.Open(_folder);
        await SealingFixture.RecordNoteAsync(trail, "MRN-100234", Note, Result);
        var records = await SealingFixture.RecordsAsync(trail);

        var invoked = await trail.ReadSealedAsync(records[0]);
        var completed = await trail.ReadSealedAsync(records[1]);

        var note = Assert.Single(invoked.Values);
        Assert.Equal("arguments.note", note.Path);
        Assert.Equal(JsonSerializer.Serialize(Note), note.Json);
        Assert.False(note.IsErased);
        var result = Assert.Single(completed.Values);
        Assert.Equal("result", result.Path);
        Assert.Equal(JsonSerializer.Serialize(Result), result.Json);
    }

    [Fact]
    public async Task A_sealed_value_longer_than_the_capture_limit_is_kept_whole()
    {
        var options = SealingFixture.Options(_folder);
        options.MaxCapturedValueLength = 16;
        await using var trail = AuditTrail.OpenLiteDb(_folder.DbPath, options);
        await SealingFixture.RecordNoteAsync(trail, "MRN-1", Note, Result);

        var read = await trail.ReadSealedAsync((await SealingFixture.RecordsAsync(trail))[0]);

        Assert.Equal(JsonSerializer.Serialize(Note), read.Values[0].Json);
    }

    [Fact]
    public async Task No_file_of_the_trail_holds_a_sealed_value_in_clear()
    {
        await using (var trail = SealingFixture.Open(_folder))
            await SealingFixture.RecordNoteAsync(trail, "MRN-100234", Note, Result);

        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, Note));
        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, Result));
        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, "MRN-100234"));
    }

    [Fact]
    public async Task A_trail_without_erasure_options_refuses_a_sealing_tool_before_it_runs()
    {
        await using var trail = _folder.Open();

        var error = Assert.Throws<AuditTrailException>(() => ToolInvocation.Start(trail, SealingFixture.RecordNoteTool));

        Assert.Contains("record_note", error.Message, StringComparison.Ordinal);
        Assert.Contains("AuditTrailOptions.Erasure", error.Message, StringComparison.Ordinal);
        Assert.Empty(await SealingFixture.RecordsAsync(trail));
    }

    [Fact]
    public void A_trail_that_keeps_no_vault_refuses_a_sealing_tool_before_it_runs()
    {
        var trail = new RecordingAuditTrail(new AuditTrailOptions { Erasure = new ErasureOptions { CommitmentKey = SealingFixture.CommitmentKey } });

        var error = Assert.Throws<AuditTrailException>(() => ToolInvocation.Start(trail, SealingFixture.RecordNoteTool));

        Assert.Contains("keeps no vault", error.Message, StringComparison.Ordinal);
        Assert.Empty(trail.Appended);
    }

    [Fact]
    public async Task A_sealing_call_without_a_data_subject_fails_before_the_tool_runs_and_records_nothing()
    {
        await using var trail = SealingFixture.Open(_folder);

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => SealingFixture.RecordAnonymousNoteAsync(trail, Note));

        Assert.Contains("no data subject", error.Message, StringComparison.Ordinal);
        Assert.Contains("[SubjectId]", error.Message, StringComparison.Ordinal);
        Assert.Empty(await SealingFixture.RecordsAsync(trail));
    }

    [Fact]
    public async Task The_data_subject_can_come_from_the_audit_context()
    {
        await using (var trail = SealingFixture.Open(_folder))
        {
            using (AuditContext.BeginSubject("customer-17"))
                await SealingFixture.RecordAnonymousNoteAsync(trail, Note);

            var record = (await SealingFixture.RecordsAsync(trail))[0];
            var read = await trail.ReadSealedAsync(record);

            Assert.Equal(JsonSerializer.Serialize(Note), read.Values[0].Json);
            Assert.Null(record.SubjectId); // the raw context subject is never recorded
        }
        Assert.Empty(SealingFixture.FilesContaining(_folder.Root, "customer-17"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public void A_commitment_key_shorter_than_32_bytes_is_refused_when_the_trail_opens(int length)
    {
        var options = SealingFixture.Options(_folder);
        options.Erasure!.CommitmentKey = new byte[length];

        var error = Assert.Throws<AuditTrailException>(() => AuditTrail.OpenLiteDb(_folder.DbPath, options));

        Assert.Contains($"{length} bytes", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.DbPath));
    }

    [Fact]
    public async Task Two_subjects_get_different_keys_and_one_subject_keeps_its_key()
    {
        await using var trail = SealingFixture.Open(_folder);
        await SealingFixture.RecordNoteAsync(trail, "MRN-1", Note, Result);
        await SealingFixture.RecordNoteAsync(trail, "MRN-2", Note, Result);
        await SealingFixture.RecordNoteAsync(trail, "MRN-1", Note, Result);

        var headers = (await SealingFixture.RecordsAsync(trail)).Select(r => r.Sealed!.Split(':')[2]).ToArray();

        Assert.Equal(["0", "0", "1", "1", "0", "0"], headers);
    }

    [Fact]
    public async Task Equal_values_get_different_commitments()
    {
        await using var trail = SealingFixture.Open(_folder);
        await SealingFixture.RecordNoteAsync(trail, "MRN-1", Note, Result);
        await SealingFixture.RecordNoteAsync(trail, "MRN-1", Note, Result);

        var records = await SealingFixture.RecordsAsync(trail);

        Assert.NotEqual(Commitment(records[0]), Commitment(records[2]));
    }

    [Fact]
    public async Task A_vault_that_cannot_be_written_refuses_the_record_and_the_tool_does_not_run()
    {
        var trail = SealingFixture.Open(_folder);
        // A directory where the first payload file must go: the vault write fails.
        Directory.CreateDirectory(Path.Combine(_folder.DbPath + ".vault", "k00000000.seal"));
        var runs = new StrongBox<int>();

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => SealingFixture.RecordNoteAsync(trail, "MRN-1", Note, Result, runs));

        Assert.Contains("was not run", error.Message, StringComparison.Ordinal);
        Assert.Contains("vault", error.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(0, runs.Value);
        // Like a journal failure, a vault failure faults the writer: closing reports it.
        await Assert.ThrowsAsync<AuditTrailException>(async () => await trail.DisposeAsync());
        await using var reader = SealingFixture.Open(_folder, readOnly: true);
        Assert.Empty(await SealingFixture.RecordsAsync(reader));
    }

    [Fact]
    public async Task Sealed_values_survive_reopening_the_trail()
    {
        await using (var trail = SealingFixture.Open(_folder))
            await SealingFixture.RecordNoteAsync(trail, "MRN-1", Note, Result);

        await using var reopened = SealingFixture.Open(_folder);
        await SealingFixture.RecordNoteAsync(reopened, "MRN-1", "second note", "second result");
        var records = await SealingFixture.RecordsAsync(reopened);

        Assert.Equal(JsonSerializer.Serialize(Note), (await reopened.ReadSealedAsync(records[0])).Values[0].Json);
        Assert.Equal("\"second note\"", (await reopened.ReadSealedAsync(records[2])).Values[0].Json);
        Assert.Equal(records[0].Sealed, records[2].Sealed);
    }

    [Fact]
    public async Task A_read_only_trail_with_the_commitment_key_reads_sealed_values()
    {
        await using (var trail = SealingFixture.Open(_folder))
            await SealingFixture.RecordNoteAsync(trail, "MRN-1", Note, Result);

        await using var reader = SealingFixture.Open(_folder, readOnly: true);
        var read = await reader.ReadSealedAsync((await SealingFixture.RecordsAsync(reader))[0]);

        Assert.Equal(JsonSerializer.Serialize(Note), read.Values[0].Json);
    }

    [Fact]
    public async Task Reading_sealed_values_without_the_commitment_key_is_a_clear_error()
    {
        await using (var trail = SealingFixture.Open(_folder))
            await SealingFixture.RecordNoteAsync(trail, "MRN-1", Note, Result);

        await using var reader = AuditTrail.OpenLiteDb(_folder.DbPath, _folder.Options(readOnly: true));
        var record = (await SealingFixture.RecordsAsync(reader))[0];
        var error = await Assert.ThrowsAsync<AuditTrailException>(async () => await reader.ReadSealedAsync(record));

        Assert.Contains("commitment key", error.Message, StringComparison.Ordinal);
    }

    private static string Commitment(AuditRecord record)
    {
        using var details = JsonDocument.Parse(record.Details!);
        return details.RootElement.GetProperty("arguments").GetProperty("note").GetProperty("$sealed").GetString()!;
    }
}
