using AuditGen.Tests.Support;

namespace AuditGen.Tests.Invocation;

/// <summary>What a test patient looks like to the tools.</summary>
public sealed record ContactUpdate(string PatientId, string Email, string Phone, string Note);

/// <summary>The tool implementation the audited wrapper delegates to; each tool's behaviour is set per test.</summary>
public sealed class PatientTools
{
    public int LookupRuns;
    public int ReadDiagnosisRuns;
    public int AddRuns;
    public Func<string, string, Task<string>> Lookup { get; set; } = (mrn, reason) => Task.FromResult($"summary of {mrn}");
    public Func<string, string> Diagnosis { get; set; } = mrn => "Type 2 diabetes mellitus";
    public Func<ContactUpdate, Task> UpdateContact { get; set; } = _ => Task.CompletedTask;
    public Func<int, int, int> AddImpl { get; set; } = (a, b) => a + b;

    public Task<string> LookupPatientAsync(string mrn, string reason, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref LookupRuns);
        return Lookup(mrn, reason);
    }

    public string ReadDiagnosis(string mrn)
    {
        Interlocked.Increment(ref ReadDiagnosisRuns);
        return Diagnosis(mrn);
    }

    public Task UpdateContactAsync(ContactUpdate update) => UpdateContact(update);

    public int Add(int a, int b)
    {
        Interlocked.Increment(ref AddRuns);
        return AddImpl(a, b);
    }
}

/// <summary>
/// Written by hand exactly as the AuditGen generator emits a wrapper: static descriptors, then per call Start,
/// Argument…, InvokedAsync, the tool, CompletedAsync or FailedAsync and rethrow.
/// </summary>
public sealed class AuditedPatientTools(PatientTools inner, IAuditTrail trail)
{
    public static readonly ToolDescriptor LookupPatientTool = new(
        "lookup_patient", "AuditGen.Tests.Invocation.PatientTools", nameof(PatientTools.LookupPatientAsync), "Looks up a patient.",
        AuditAction.DataAccessed, "Patient", DataClass.Confidential, ComplianceDomain.Hipaa | ComplianceDomain.Gdpr, AuditFailurePolicy.Default,
        [
            new ToolParameter("mrn", "string", DataClass.Confidential, null, ToolParameterRole.SubjectId, []),
            new ToolParameter("reason", "string", null, null, ToolParameterRole.None, []),
        ],
        new ToolReturn("string", DataClass.Internal, null));

    public static readonly ToolDescriptor ReadDiagnosisTool = new(
        "read_diagnosis", "AuditGen.Tests.Invocation.PatientTools", nameof(PatientTools.ReadDiagnosis), null,
        AuditAction.DataAccessed, "Diagnosis", DataClass.Restricted, ComplianceDomain.Hipaa, AuditFailurePolicy.Default,
        [new ToolParameter("mrn", "string", DataClass.Restricted, null, ToolParameterRole.ResourceId, [])],
        new ToolReturn("string", null, null));

    public static readonly ToolDescriptor UpdateContactTool = new(
        "update_contact", "AuditGen.Tests.Invocation.PatientTools", nameof(PatientTools.UpdateContactAsync), null,
        AuditAction.DataModified, "Patient", DataClass.Restricted, ComplianceDomain.Gdpr, AuditFailurePolicy.FailOpen,
        [
            new ToolParameter("update", "AuditGen.Tests.Invocation.ContactUpdate", null, null, ToolParameterRole.None,
            [
                new ToolParameter("PatientId", "string", DataClass.Confidential, null, ToolParameterRole.SubjectId, []),
                new ToolParameter("Email", "string", DataClass.Restricted, null, ToolParameterRole.None, []),
                new ToolParameter("Phone", "string", DataClass.Confidential, RedactionStrategy.Mask, ToolParameterRole.None, []),
                new ToolParameter("Note", "string", null, null, ToolParameterRole.None, []),
            ]),
        ],
        ToolReturn.Void);

    public static readonly ToolDescriptor AddTool = new(
        "add", "AuditGen.Tests.Invocation.PatientTools", nameof(PatientTools.Add), null,
        AuditAction.ToolInvoked, null, DataClass.Public, ComplianceDomain.None, AuditFailurePolicy.Default,
        [
            new ToolParameter("a", "int", null, null, ToolParameterRole.None, []),
            new ToolParameter("b", "int", null, null, ToolParameterRole.None, []),
        ],
        new ToolReturn("int", null, null));

    public async Task<string> LookupPatientAsync(string mrn, string reason, CancellationToken cancellationToken = default)
    {
        var invocation = ToolInvocation.Start(trail, LookupPatientTool);
        invocation.Argument(0, mrn);
        invocation.Argument(1, reason);
        await invocation.InvokedAsync();
        string result;
        try
        {
            result = await inner.LookupPatientAsync(mrn, reason, cancellationToken);
        }
        catch (Exception ex)
        {
            await invocation.FailedAsync(ex);
            throw;
        }

        await invocation.CompletedAsync(result);
        return result;
    }

    public string ReadDiagnosis(string mrn)
    {
        var invocation = ToolInvocation.Start(trail, ReadDiagnosisTool);
        invocation.Argument(0, mrn);
        invocation.Invoked();
        string result;
        try
        {
            result = inner.ReadDiagnosis(mrn);
        }
        catch (Exception ex)
        {
            invocation.Failed(ex);
            throw;
        }

        invocation.Completed(result);
        return result;
    }

    public async Task UpdateContactAsync(ContactUpdate update)
    {
        var invocation = ToolInvocation.Start(trail, UpdateContactTool);
        invocation.BeginObjectArgument(0);
        invocation.ObjectProperty(0, update.PatientId);
        invocation.ObjectProperty(1, update.Email);
        invocation.ObjectProperty(2, update.Phone);
        invocation.ObjectProperty(3, update.Note);
        invocation.EndObjectArgument();
        await invocation.InvokedAsync();
        try
        {
            await inner.UpdateContactAsync(update);
        }
        catch (Exception ex)
        {
            await invocation.FailedAsync(ex);
            throw;
        }

        await invocation.CompletedAsync();
    }

    public int Add(int a, int b)
    {
        var invocation = ToolInvocation.Start(trail, AddTool);
        invocation.Argument(0, a);
        invocation.Argument(1, b);
        invocation.Invoked();
        int result;
        try
        {
            result = inner.Add(a, b);
        }
        catch (Exception ex)
        {
            invocation.Failed(ex);
            throw;
        }

        invocation.Completed(result);
        return result;
    }
}

/// <summary>Shared test setup.</summary>
public static class TestTrails
{
    public static byte[] Key(byte seed = 1) => Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + seed)).ToArray();

    public static RecordingAuditTrail Create(Action<AuditTrailOptions>? configure = null)
    {
        var options = new AuditTrailOptions { HmacKey = Key(), HmacKeyId = 1 };
        configure?.Invoke(options);
        return new RecordingAuditTrail(options);
    }

    /// <summary>Every text an entry carries, as one string, so a test can search it for a raw value.</summary>
    public static string Dump(AuditEntry entry) => System.Text.Json.JsonSerializer.Serialize(entry, DumpOptions);

    private static readonly System.Text.Json.JsonSerializerOptions DumpOptions =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static System.Text.Json.JsonElement Details(AuditEntry entry) =>
        System.Text.Json.JsonDocument.Parse(entry.Details!).RootElement;
}
