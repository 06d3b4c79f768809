using System.Text.Json;
using AuditGen.Erasure;
using AuditGen.Retention;

namespace AuditGen.Cli.Tests;

public sealed class EraseCommandTests : IDisposable
{
    private static readonly byte[] CommitmentKey = Enumerable.Range(7, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] HmacKey = Enumerable.Range(70, 32).Select(i => (byte)i).ToArray();

    private static readonly ToolDescriptor RecordNote = new(
        "record_note", "Clinic.NoteTools", "RecordNoteAsync", null, AuditAction.DataModified, "Note", DataClass.Restricted,
        ComplianceDomain.Gdpr, AuditFailurePolicy.FailClosed,
        [
            new ToolParameter("mrn", "string", DataClass.Confidential, RedactionStrategy.Hmac, ToolParameterRole.SubjectId, []),
            new ToolParameter("note", "string", DataClass.Restricted, RedactionStrategy.Seal, ToolParameterRole.None, []),
        ],
        ToolReturn.Void);

    private readonly TempFolder _folder = new();

    public EraseCommandTests()
    {
        File.WriteAllText(KeyFile, Convert.ToBase64String(CommitmentKey));
    }

    public void Dispose() => _folder.Dispose();

    private string TrailPath => _folder.File("audit.db");

    private string KeyFile => _folder.File("commitment.key");

    private AuditTrailOptions Options(bool readOnly = false) => new()
    {
        HmacKey = HmacKey,
        Erasure = new ErasureOptions { CommitmentKey = CommitmentKey },
        ReadOnly = readOnly,
    };

    private async Task CreateAsync(Func<LiteDbAuditTrail, Task>? more = null)
    {
        await using var trail = AuditTrail.OpenLiteDb(TrailPath, Options());
        foreach (var (mrn, note) in new[] { ("MRN-ALICE", "Alice's private note"), ("MRN-BOB", "Bob's private note") })
        {
            var call = ToolInvocation.Start(trail, RecordNote);
            call.Argument(0, mrn);
            call.Argument(1, note);
            await call.InvokedAsync();
            await call.CompletedAsync();
        }
        if (more is not null)
            await more(trail);
    }

    private async Task<List<SealedValueReading>> ReadAllAsync()
    {
        await using var trail = AuditTrail.OpenLiteDb(TrailPath, Options(readOnly: true));
        var values = new List<SealedValueReading>();
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.ToolInvoked }))
            values.AddRange((await trail.ReadSealedAsync(record)).Values);
        return values;
    }

    [Fact]
    public async Task Erase_destroys_the_subjects_content_records_it_and_exits_0()
    {
        await CreateAsync();

        var run = await CliRun.Of("erase", TrailPath, "--subject", "MRN-ALICE", "--reason", "Art. 17 request 4711", "--by", "dpo", "--commitment-key", KeyFile);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Erased subject", run.Output, StringComparison.Ordinal);
        Assert.Contains("subject_erased at sequence 4", run.Output, StringComparison.Ordinal);
        OutputAssert.NoAnsiEscapes(run.AllText);
        var values = await ReadAllAsync();
        Assert.True(values[0].IsErased);
        Assert.Equal("\"Bob's private note\"", values[1].Json);
        Assert.Equal(ExitCodes.Success, (await CliRun.Of("verify", TrailPath)).ExitCode);
    }

    [Fact]
    public async Task Erase_with_json_prints_one_object_with_the_outcome_and_counts()
    {
        await CreateAsync();

        var run = await CliRun.Of("erase", TrailPath, "--subject", "MRN-ALICE", "--reason", "request", "--by", "dpo", "--commitment-key", KeyFile, "--json");
        var again = await CliRun.Of("erase", TrailPath, "--subject", "MRN-ALICE", "--reason", "request", "--by", "dpo", "--commitment-key", KeyFile, "--json");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal("erased", json.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(4, json.RootElement.GetProperty("sequence").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("keysDestroyed").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("sealedValues").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("records").GetInt32());
        Assert.DoesNotContain("MRN-ALICE", run.Output, StringComparison.Ordinal);
        using var second = JsonDocument.Parse(again.Output);
        Assert.Equal("already_erased", second.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(4, second.RootElement.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task Erase_of_an_unknown_subject_exits_0_saying_there_is_nothing_to_erase()
    {
        await CreateAsync();

        var run = await CliRun.Of("erase", TrailPath, "--subject", "MRN-NOBODY", "--reason", "request", "--by", "dpo", "--commitment-key", KeyFile);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("nothing to erase", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erase_of_a_held_subject_exits_5_naming_the_hold_and_changes_nothing()
    {
        Guid holdId = default;
        await CreateAsync(async trail =>
        {
            var subject = await FirstSubjectAsync(trail);
            holdId = (await LegalHolds.PlaceAsync(trail, LegalHoldScope.Subject(subject), "Matter 2025-114", "counsel.ana")).Id;
        });

        var run = await CliRun.Of("erase", TrailPath, "--subject", "MRN-ALICE", "--reason", "request", "--by", "dpo", "--commitment-key", KeyFile);

        Assert.Equal(ExitCodes.Refused, run.ExitCode);
        Assert.Contains(holdId.ToString(), run.Error, StringComparison.Ordinal);
        Assert.Contains("Matter 2025-114", run.Error, StringComparison.Ordinal);
        OutputAssert.NoStackTrace(run.AllText);
        Assert.Equal("\"Alice's private note\"", (await ReadAllAsync())[0].Json);
    }

    [Fact]
    public async Task Erase_without_a_reason_is_a_usage_error()
    {
        await CreateAsync();

        var run = await CliRun.Of("erase", TrailPath, "--subject", "MRN-ALICE", "--by", "dpo", "--commitment-key", KeyFile);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--reason", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erase_with_an_empty_reason_is_a_usage_error()
    {
        await CreateAsync();

        var run = await CliRun.Of("erase", TrailPath, "--subject", "MRN-ALICE", "--reason", " ", "--by", "dpo", "--commitment-key", KeyFile);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--reason must not be empty", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erase_of_a_missing_trail_exits_3_and_creates_nothing()
    {
        var path = _folder.File("missing.db");

        var run = await CliRun.Of("erase", path, "--subject", "MRN-ALICE", "--reason", "request", "--by", "dpo", "--commitment-key", KeyFile);

        Assert.Equal(ExitCodes.TrailUnavailable, run.ExitCode);
        Assert.Equal($"auditgen: trail not found: {path}", run.Error.TrimEnd());
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Erase_with_a_short_commitment_key_exits_4_saying_why()
    {
        await CreateAsync();
        File.WriteAllText(KeyFile, Convert.ToBase64String(new byte[16]));

        var run = await CliRun.Of("erase", TrailPath, "--subject", "MRN-ALICE", "--reason", "request", "--by", "dpo", "--commitment-key", KeyFile);

        Assert.Equal(ExitCodes.CheckpointInvalid, run.ExitCode);
        Assert.Contains("16 bytes", run.Error, StringComparison.Ordinal);
    }

    private static async Task<string> FirstSubjectAsync(LiteDbAuditTrail trail)
    {
        await foreach (var record in trail.QueryAsync(new AuditQuery { Limit = 1 }))
            return record.SubjectId!;
        throw new InvalidOperationException("empty trail");
    }
}
