using System.Text.Json;
using AuditGen.Erasure;
using Microsoft.Extensions.AI;
using static AuditGen.Extensions.AI.Tests.Support;

namespace AuditGen.Extensions.AI.Tests;

/// <summary><see cref="MessageCapture.Sealed"/>: full prompts and responses kept sealed under the data subject's key instead of length + HMAC.</summary>
public sealed class SealedConversationTests : IDisposable
{
    private const string Prompt = "Summarise Florence Nightingale's cardiology history";
    private const string Answer = "Florence Nightingale had a stent placed in 2019.";
    private static readonly byte[] CommitmentKey = Enumerable.Range(90, 32).Select(i => (byte)i).ToArray();
    private readonly string _directory = Directory.CreateTempSubdirectory("auditgen-chat-seal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private LiteDbAuditTrail Open(bool erasure = true) => AuditTrail.OpenLiteDb(Path.Combine(_directory, "audit.db"), new AuditTrailOptions
    {
        HmacKey = HmacKey,
        Erasure = erasure ? new ErasureOptions { CommitmentKey = CommitmentKey } : null,
    });

    private static IChatClient Pipeline(IAuditTrail trail, ScriptedModel model) =>
        new ChatClientBuilder(model).UseAuditing(trail, o => o.MessageCapture = MessageCapture.Sealed).Build();

    private static async Task<List<AuditRecord>> RecordsAsync(LiteDbAuditTrail trail)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(new AuditQuery()))
            records.Add(record);
        return records;
    }

    [Fact]
    public async Task The_prompt_and_the_response_are_recorded_as_commitments_and_read_back_in_full()
    {
        await using var trail = Open();
        using var client = Pipeline(trail, new ScriptedModel(_ => ScriptedModel.Answer(Answer)));

        using (AuditContext.Begin(conversationId: "conv-s", userId: "dr.grey"))
        using (AuditContext.BeginSubject("patient-77"))
            await client.GetResponseAsync([new ChatMessage(ChatRole.User, Prompt)]);

        var records = await RecordsAsync(trail);
        var user = records.Single(r => r.Action == AuditAction.UserMessageReceived);
        var response = records.Single(r => r.Action == AuditAction.AgentResponseGenerated);
        Assert.DoesNotContain("Nightingale", user.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("Nightingale", response.Details, StringComparison.Ordinal);
        using (var details = JsonDocument.Parse(user.Details!))
            Assert.False(details.RootElement.TryGetProperty("hmac", out _));
        Assert.Equal(Prompt, JsonSerializer.Deserialize<string>((await trail.ReadSealedAsync(user)).Values.Single().Json!));
        var answer = Assert.Single((await trail.ReadSealedAsync(response)).Values);
        Assert.Equal("sealed", answer.Path);
        Assert.Equal(Answer, JsonSerializer.Deserialize<string>(answer.Json!));
    }

    [Fact]
    public async Task Erasing_the_subject_erases_the_conversation_texts()
    {
        await using var trail = Open();
        using var client = Pipeline(trail, new ScriptedModel(_ => ScriptedModel.Answer(Answer)));
        using (AuditContext.BeginSubject("patient-77"))
            await client.GetResponseAsync([new ChatMessage(ChatRole.User, Prompt)]);

        await trail.EraseSubjectAsync("patient-77", "Art. 17", "dpo");

        var records = await RecordsAsync(trail);
        Assert.True((await trail.ReadSealedAsync(records.Single(r => r.Action == AuditAction.UserMessageReceived))).Values.Single().IsErased);
        Assert.True((await trail.ReadSealedAsync(records.Single(r => r.Action == AuditAction.AgentResponseGenerated))).Values.Single().IsErased);
        Assert.True((await trail.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task A_sealed_turn_without_a_data_subject_fails_before_the_model_is_called()
    {
        await using var trail = Open();
        var model = new ScriptedModel(_ => ScriptedModel.Answer(Answer));
        using var client = Pipeline(trail, model);

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, Prompt)]));

        Assert.Contains("AuditContext.SubjectId", error.Message, StringComparison.Ordinal);
        Assert.Empty(model.Requests);
        Assert.DoesNotContain(await RecordsAsync(trail), r => r.Action == AuditAction.UserMessageReceived);
    }

    [Fact]
    public async Task Sealed_capture_on_a_trail_that_cannot_seal_is_refused_when_the_pipeline_is_built()
    {
        await using var trail = Open(erasure: false);

        var error = Assert.Throws<AuditTrailException>(() => Pipeline(trail, new ScriptedModel(_ => ScriptedModel.Answer(Answer))));

        Assert.Contains("MessageCapture (Sealed)", error.Message, StringComparison.Ordinal);
        Assert.Contains("AuditTrailOptions.Erasure", error.Message, StringComparison.Ordinal);
    }
}
