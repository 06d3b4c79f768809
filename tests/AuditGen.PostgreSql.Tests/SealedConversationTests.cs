using System.Runtime.CompilerServices;
using System.Text.Json;
using AuditGen.Extensions.AI;
using AuditGen.PostgreSql.Tests.Support;
using Microsoft.Extensions.AI;

namespace AuditGen.PostgreSql.Tests;

/// <summary><see cref="MessageCapture.Sealed"/> through a PostgreSQL trail: the texts go to the vault, the log keeps commitments.</summary>
[RequiresPostgres]
public sealed class SealedConversationTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private const string Prompt = "Summarise Florence Nightingale's cardiology history";
    private const string Answer = "Florence Nightingale had a stent placed in 2019.";
    private readonly string _logId = Appends.NewLogId("chat-seal");
    private readonly string _vault = Directory.CreateTempSubdirectory("auditgen-pg-chat-vault-").FullName;

    public void Dispose() => Directory.Delete(_vault, recursive: true);

    [StoreFact]
    public async Task A_sealed_conversation_is_kept_in_the_vault_read_back_in_full_and_erased_with_its_subject()
    {
        await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId,
            ConformanceSealing.WithErasure(new AuditTrailOptions(), Path.Combine(_vault, "vault")));
        using var client = new ChatClientBuilder(new OneAnswerModel()).UseAuditing(trail, o => o.MessageCapture = MessageCapture.Sealed).Build();
        using (AuditContext.BeginSubject("patient-77"))
            await client.GetResponseAsync([new ChatMessage(ChatRole.User, Prompt)]);

        var user = await SingleAsync(trail, AuditAction.UserMessageReceived);
        var response = await SingleAsync(trail, AuditAction.AgentResponseGenerated);
        var prompt = Assert.Single((await trail.ReadSealedAsync(user)).Values);
        var answer = Assert.Single((await trail.ReadSealedAsync(response)).Values);
        await trail.EraseSubjectAsync("patient-77", "Art. 17", "dpo");

        Assert.DoesNotContain("Nightingale", user.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("Nightingale", response.Details, StringComparison.Ordinal);
        Assert.Equal(Prompt, JsonSerializer.Deserialize<string>(prompt.Json!));
        Assert.Equal(Answer, JsonSerializer.Deserialize<string>(answer.Json!));
        Assert.True(Assert.Single((await trail.ReadSealedAsync(user)).Values).IsErased);
        Assert.True(Assert.Single((await trail.ReadSealedAsync(response)).Values).IsErased);
        Assert.True((await trail.VerifyAsync()).IsValid);
    }

    private static async Task<AuditRecord> SingleAsync(IAuditTrail trail, AuditAction action)
    {
        var found = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = action }))
            found.Add(record);
        return Assert.Single(found);
    }

    private sealed class OneAnswerModel : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer)));

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
                yield return update;
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
