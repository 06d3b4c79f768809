using System.ComponentModel;
using System.Text.Json;
using AuditGen.Testing;
using Microsoft.Extensions.AI;

namespace AuditGen.Extensions.AI.Tests;

public sealed record Patient(string Mrn, string Name);

/// <summary>Annotated tools, as a team that owns the code writes them.</summary>
public sealed class ClinicTools
{
    public const string KnownMrn = "MRN-5150";
    public const string KnownName = "Florence Nightingale";
    public int Calls;

    [AuditedTool(ResourceType = "Patient", Domains = ComplianceDomain.Hipaa, Action = AuditAction.DataAccessed)]
    [Description("Looks up a patient.")]
    [return: DataClassification(DataClass.Restricted)]
    public async Task<Patient> LookupPatientAsync([DataClassification(DataClass.Restricted)][Redact(RedactionStrategy.Hmac)][SubjectId] string mrn,
        DateOnly since, CancellationToken cancellationToken = default)
    {
        Calls++;
        await Task.Yield();
        return mrn == KnownMrn ? new Patient(mrn, KnownName) : throw new KeyNotFoundException($"No patient {mrn}");
    }
}

internal static class Support
{
    public static readonly byte[] HmacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    public static InMemoryAuditTrail Trail(AuditFailurePolicy policy = AuditFailurePolicy.Default) =>
        new(new AuditTrailOptions { HmacKey = HmacKey, FailurePolicy = policy });

    public static JsonElement Details(AuditEntry entry) => JsonDocument.Parse(entry.Details!).RootElement;

    public static AIFunction Lookup(ClinicTools tools) =>
        AIFunctionFactory.Create(tools.LookupPatientAsync, new AIFunctionFactoryOptions { Name = "lookup_patient" });

    /// <summary>What a model's JSON arguments look like after the provider parsed them.</summary>
    public static Dictionary<string, object?> JsonArguments(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!.ToDictionary(p => p.Key, p => (object?)p.Value);

    public static void AssertNoneContains(IEnumerable<AuditEntry> entries, params string[] values)
    {
        foreach (var entry in entries)
        {
            var text = JsonSerializer.Serialize(entry);
            foreach (var value in values)
                Assert.DoesNotContain(value, text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
