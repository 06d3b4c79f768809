using System.Text.Json;
using System.Text.Json.Nodes;
using AuditGen.DynamicProxy;
using AuditGen.Extensions.AI;
using Microsoft.Extensions.AI;

namespace AuditGen.EndToEnd.Tests;

/// <summary>
/// The generated wrapper, the Castle proxy and the AIFunction decorator enter the same ToolInvocation path: for the same
/// call in the same context they leave the same records on a real trail, apart from ids, times and the random call id.
/// </summary>
public sealed class AuditPathEquivalenceTests
{
    /// <summary>One call: how a C# caller makes it, and the JSON arguments a model sends for it.</summary>
    public sealed record Call(string Name, Func<IWardTools, Task> Invoke, string Method, string Arguments)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Call> Calls() =>
    [
        new("restricted lookup with a pseudonymous subject", t => t.AdmitAsync(WardTools.KnownMrn, new DateOnly(2025, 3, 14), 7),
            nameof(IWardTools.AdmitAsync), $$"""{"mrn":"{{WardTools.KnownMrn}}","since":"2025-03-14","bed":7}"""),
        new("a default argument", t => t.AdmitAsync(WardTools.KnownMrn, new DateOnly(2025, 3, 14)),
            nameof(IWardTools.AdmitAsync), $$"""{"mrn":"{{WardTools.KnownMrn}}","since":"2025-03-14"}"""),
        new("a failure after an await, message scrubbed", t => t.AdmitAsync("MRN-0001", new DateOnly(2025, 3, 14), 2),
            nameof(IWardTools.AdmitAsync), """{"mrn":"MRN-0001","since":"2025-03-14","bed":2}"""),
        new("an object argument with classified properties", t => Task.FromResult(t.Transfer(new Transfer(WardTools.KnownMrn, "sepsis", "icu"), "urgent")),
            nameof(IWardTools.Transfer), $$"""{"transfer":{"mrn":"{{WardTools.KnownMrn}}","reason":"sepsis","ward":"icu"},"note":"urgent"}"""),
        new("an unclassified object result", t => t.SummarizeAsync("north").AsTask(),
            nameof(IWardTools.SummarizeAsync), """{"ward":"north"}"""),
        new("a task without a result and a resource id", t => t.ArchiveAsync(42),
            nameof(IWardTools.ArchiveAsync), """{"chartId":42}"""),
    ];

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task The_generated_wrapper_the_castle_proxy_and_the_ai_function_record_the_same_call_identically(Call call)
    {
        var generated = await RecordAsync(trail => call.Invoke(new AuditedWardTools(new WardTools(), trail)));
        var proxied = await RecordAsync(trail => call.Invoke(AuditProxy.Create<IWardTools>(new WardTools(), trail)));
        var function = await RecordAsync(async trail =>
        {
            var method = typeof(WardTools).GetMethod(call.Method)!;
            var audited = AIFunctionFactory.Create(method, new WardTools()).WithAuditing(trail);
            var arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(call.Arguments)!.ToDictionary(a => a.Key, a => (object?)a.Value);
            await audited.InvokeAsync(new AIFunctionArguments(arguments));
        });

        Assert.Equal(2, generated.Count);
        Assert.Equal(generated, proxied);
        Assert.Equal(generated, function);
    }

    /// <summary>Runs the call against a fresh LiteDB trail and returns its records without ids, times and call ids.</summary>
    private static async Task<List<string>> RecordAsync(Func<IAuditTrail, Task> run)
    {
        await using var fixture = TrailFixture.Create();
        using (AuditContext.Begin(conversationId: "conv-eq", userId: "dr.bailey", agentName: "ward-agent"))
        using (AuditContext.BeginToolCall("call_7"))
        {
            try
            {
                await run(fixture.Trail);
            }
            catch (KeyNotFoundException)
            {
                // The failing call's exception reaches the caller on every path; its record is what is compared.
            }
        }

        Assert.True((await fixture.Trail.VerifyAsync()).IsValid);
        return (await fixture.RecordsAsync()).Select(Normalize).ToList();
    }

    private static string Normalize(AuditRecord record)
    {
        var details = record.Details is null ? null : JsonNode.Parse(record.Details)!.AsObject();
        Assert.True(details?.Remove("callId") ?? true);
        var comparable = record with
        {
            Id = Guid.Empty,
            Timestamp = DateTimeOffset.UnixEpoch,
            DurationMicros = record.DurationMicros is null ? null : 0,
            PreviousHash = "",
            Hash = "",
            Details = details?.ToJsonString(),
        };
        return JsonSerializer.Serialize(comparable);
    }
}
