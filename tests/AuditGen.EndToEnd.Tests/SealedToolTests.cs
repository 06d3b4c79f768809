using System.Text.Json;
using System.Text.Json.Nodes;
using AuditGen.DynamicProxy;
using AuditGen.Erasure;
using AuditGen.Extensions.AI;
using Microsoft.Extensions.AI;

namespace AuditGen.EndToEnd.Tests;

/// <summary>A [Redact(Seal)] tool through the generated wrapper, the Castle proxy and the AIFunction decorator: sealed the same way, readable, erasable.</summary>
public sealed class SealedToolTests : IAsyncLifetime
{
    private const string Note = "Mary Seacole reports dizziness after the new beta blocker";
    private static readonly byte[] CommitmentKey = Enumerable.Range(50, 32).Select(i => (byte)i).ToArray();
    private readonly string _directory = Directory.CreateTempSubdirectory("auditgen-e2e-seal-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private LiteDbAuditTrail Open(string name, bool erasure = true) => AuditTrail.OpenLiteDb(Path.Combine(_directory, name), new AuditTrailOptions
    {
        HmacKey = TrailFixture.HmacKey,
        Erasure = erasure ? new ErasureOptions { CommitmentKey = CommitmentKey } : null,
    });

    public static TheoryData<string> Paths() => ["generated", "proxy", "function"];

    private static async Task CallAsync(string path, IAuditTrail trail, NoteTools tools)
    {
        switch (path)
        {
            case "generated":
                await new AuditedNoteTools(tools, trail).RecordNoteAsync(WardTools.KnownMrn, Note);
                break;
            case "proxy":
                await AuditProxy.Create<INoteTools>(tools, trail).RecordNoteAsync(WardTools.KnownMrn, Note);
                break;
            default:
                var function = AIFunctionFactory.Create(typeof(NoteTools).GetMethod(nameof(NoteTools.RecordNoteAsync))!, tools).WithAuditing(trail);
                await function.InvokeAsync(new AIFunctionArguments(new Dictionary<string, object?> { ["mrn"] = WardTools.KnownMrn, ["note"] = Note }));
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Every_audit_path_seals_the_note_and_the_reply_and_reads_them_back(string path)
    {
        await using var trail = Open(path + ".db");
        await CallAsync(path, trail, new NoteTools());

        var records = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(new AuditQuery()))
            records.Add(record);

        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.DoesNotContain("dizziness", r.Details, StringComparison.Ordinal));
        Assert.Equal(JsonSerializer.Serialize(Note), (await trail.ReadSealedAsync(records[0])).Values.Single().Json);
        Assert.Equal("\"Filed note for MRN-6502: 57 characters\"", (await trail.ReadSealedAsync(records[1])).Values.Single().Json);
        Assert.StartsWith("hmac:1:", records[0].SubjectId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_three_paths_leave_the_same_records_apart_from_ids_times_and_commitments()
    {
        var shapes = new List<string>();
        foreach (var path in new[] { "generated", "proxy", "function" })
        {
            await using var trail = Open("same-" + path + ".db");
            await CallAsync(path, trail, new NoteTools());
            await foreach (var record in trail.QueryAsync(new AuditQuery()))
            {
                var node = JsonNode.Parse(JsonSerializer.Serialize(record))!.AsObject();
                foreach (var name in new[] { "Id", "Timestamp", "PreviousHash", "Hash", "DurationMicros", "TraceId", "SpanId" })
                    node.Remove(name);
                var details = JsonNode.Parse(node["Details"]!.GetValue<string>())!.AsObject();
                details.Remove("callId");
                node["Details"] = details.ToJsonString().Replace(SealedCommitment(details), "C", StringComparison.Ordinal);
                shapes.Add(node.ToJsonString());
            }
        }

        Assert.Equal(shapes[0], shapes[2]);
        Assert.Equal(shapes[0], shapes[4]);
        Assert.Equal(shapes[1], shapes[3]);
        Assert.Equal(shapes[1], shapes[5]);
    }

    [Fact]
    public async Task After_erasure_the_wrappers_records_read_as_erased_and_the_trail_verifies()
    {
        await using var trail = Open("erase.db");
        await CallAsync("generated", trail, new NoteTools());

        var erasure = await trail.EraseSubjectAsync(WardTools.KnownMrn, "Art. 17", "dpo");
        var records = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.ToolInvoked }))
            records.Add(record);

        Assert.Equal(SubjectErasureOutcome.Erased, erasure.Outcome);
        Assert.True((await trail.ReadSealedAsync(records[0])).Values.Single().IsErased);
        Assert.True((await trail.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task The_generated_wrapper_on_a_trail_without_erasure_fails_before_the_tool_runs()
    {
        await using var trail = Open("plain.db", erasure: false);
        var tools = new NoteTools();

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => new AuditedNoteTools(tools, trail).RecordNoteAsync(WardTools.KnownMrn, Note));

        Assert.Contains("AuditTrailOptions.Erasure", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, tools.Runs);
    }

    [Fact]
    public void The_runtime_descriptor_of_a_sealing_tool_equals_the_generated_one()
    {
        var generated = AuditedNoteTools.Tools.Single();
        var runtime = RuntimeTool.ForMethod(typeof(NoteTools).GetMethod(nameof(NoteTools.RecordNoteAsync))!)!.Descriptor;

        Assert.Equal(generated.Parameters.Select(p => (p.Name, p.Classification, p.Redaction, p.Role)), runtime.Parameters.Select(p => (p.Name, p.Classification, p.Redaction, p.Role)));
        Assert.Equal((RedactionStrategy?)RedactionStrategy.Seal, runtime.Returns.Redaction);
        Assert.Equal(generated.Returns, runtime.Returns);
    }

    private static string SealedCommitment(JsonObject details)
    {
        var holder = details["arguments"]?["note"] ?? details["result"];
        return holder!["$sealed"]!.GetValue<string>();
    }
}
