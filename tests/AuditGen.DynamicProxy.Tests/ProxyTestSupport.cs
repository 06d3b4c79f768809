using System.Text.Json;
using AuditGen.Testing;

namespace AuditGen.DynamicProxy.Tests;

internal static class ProxyTestSupport
{
    public static readonly byte[] HmacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    public static InMemoryAuditTrail Trail(AuditFailurePolicy policy = AuditFailurePolicy.Default) =>
        new(new AuditTrailOptions { HmacKey = HmacKey, FailurePolicy = policy });

    public static JsonElement Details(AuditEntry entry) => JsonDocument.Parse(entry.Details!).RootElement;

    public static AuditProxyOptions VendorMap()
    {
        var options = new AuditProxyOptions();
        options.Tool("LookupPatientAsync").Named("lookup_patient").ResourceType("Patient").Domains(ComplianceDomain.Hipaa)
            .Action(AuditAction.DataAccessed).Classify("mrn", DataClass.Restricted, RedactionStrategy.Hmac).SubjectId("mrn");
        return options;
    }
}
