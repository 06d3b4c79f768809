using System.Runtime.CompilerServices;

namespace AuditGen.Tests.Queries;

/// <summary>A trail with one record of each classification, and test doubles around a real trail.</summary>
internal static class ReadCorpus
{
    public const string RestrictedDetails = """{"args":{"diagnosis":"J45.909"},"callId":"c-3"}""";

    /// <summary>Appends sequences 0..3: public (no domain), internal (soc2), confidential (gdpr), restricted (hipaa, failed).</summary>
    public static async Task<List<AuditRecord>> AppendAsync(IAuditTrail trail)
    {
        var records = new List<AuditRecord>();
        foreach (var (classification, domains) in new[]
        {
            (DataClass.Public, ComplianceDomain.None),
            (DataClass.Internal, ComplianceDomain.Soc2),
            (DataClass.Confidential, ComplianceDomain.Gdpr),
            (DataClass.Restricted, ComplianceDomain.Hipaa),
        })
        {
            var restricted = classification == DataClass.Restricted;
            records.Add(await trail.AppendAsync(new AuditEntry
            {
                Action = restricted ? AuditAction.ToolFailed : AuditAction.ToolCompleted,
                ActorId = "triage-agent",
                ConversationId = "conv-7",
                UserId = "dr.house",
                ToolName = "lookup_patient",
                ResourceType = "patient",
                ResourceId = $"hmac:1:res{(int)classification}",
                SubjectId = $"hmac:1:sub{(int)classification}",
                Classification = classification,
                Domains = domains,
                Outcome = restricted ? AuditOutcome.Failure : AuditOutcome.Success,
                DurationMicros = 900,
                Details = restricted ? RestrictedDetails : $$"""{"callId":"c-{{(int)classification}}"}""",
                Error = restricted ? new AuditError("System.TimeoutException", "EHR timed out for MRN 0042") : null,
                Sealed = restricted ? "c2VhbGVk" : null,
            }));
        }
        return records;
    }

    public static async Task<List<AuditRecord>> AllAsync(IAuditTrail trail, AuditQuery? query = null)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(query ?? new AuditQuery()))
            records.Add(record);
        return records;
    }
}

/// <summary>Reads from a real trail; every append fails with <see cref="Failure"/> (or is passed through when null).</summary>
internal sealed class AppendFailingTrail(IAuditTrail inner, AuditTrailOptions options) : IAuditTrail
{
    public Exception? Failure { get; set; } = new IOException("disk full");

    public AuditTrailOptions Options => options;

    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        Failure is { } failure ? ValueTask.FromException<AuditRecord>(failure) : inner.AppendAsync(entry, cancellationToken);

    public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) => inner.VerifyAsync(cancellationToken);

    public IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
}

/// <summary>Collects what the trail reports to its alert sink.</summary>
internal sealed class CollectingAlertSink : IAuditAlertSink
{
    private readonly List<AuditFailure> _failures = [];

    public IReadOnlyList<AuditFailure> Failures { get { lock (_failures) return _failures.ToArray(); } }

    public void OnAuditFailure(AuditFailure failure)
    {
        lock (_failures) _failures.Add(failure);
    }
}
