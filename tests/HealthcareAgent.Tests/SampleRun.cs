using AuditGen;

namespace HealthcareAgent.Tests;

/// <summary>Runs the sample once against a temp folder and reads the resulting trail back; shared by a test class.</summary>
public sealed class SampleRun : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    public string Folder => _folder.Path;
    public string TrailPath => _folder.File("audit.db");
    public int ExitCode { get; private set; }
    public string Output { get; private set; } = "";
    public IReadOnlyList<AuditRecord> Records { get; private set; } = [];
    public VerificationResult Verification { get; private set; } = new() { RecordsChecked = 0 };

    public async Task InitializeAsync()
    {
        using var output = new StringWriter();
        ExitCode = await HealthcareAgentApp.RunAsync(TrailPath, output);
        Output = output.ToString();

        await using var trail = AuditTrail.OpenLiteDb(TrailPath, new AuditTrailOptions { ReadOnly = true });
        var records = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(new AuditQuery()))
            records.Add(record);
        Records = records;
        Verification = await trail.VerifyAsync();
    }

    public Task DisposeAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
