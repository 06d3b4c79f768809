using AuditGen;
using HealthcareAgent.Agent;

namespace HealthcareAgent;

/// <summary>
/// The sample's main job: three scripted clinical conversations whose every tool call is audited to a LiteDB
/// trail, followed by a summary and a verification of the whole trail.
/// </summary>
public static class HealthcareAgentApp
{
    /// <summary>Exit code: the run completed and the trail verified.</summary>
    public const int Success = 0;
    /// <summary>Exit code: the trail failed verification.</summary>
    public const int VerificationFailed = 1;
    /// <summary>Exit code: bad configuration (HMAC key) or the trail could not be opened.</summary>
    public const int SetupFailed = 2;

    /// <summary>
    /// Runs the conversations against the trail at <paramref name="trailPath"/> (created if missing; reruns append),
    /// writes a transcript and a summary to <paramref name="output"/>, and returns the exit code: 0 only when the
    /// trail verifies.
    /// </summary>
    public static async Task<int> RunAsync(string trailPath, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trailPath);
        ArgumentNullException.ThrowIfNull(output);
        trailPath = Path.GetFullPath(trailPath);
        Directory.CreateDirectory(Path.GetDirectoryName(trailPath)!);

        byte[] key;
        string keyOrigin;
        try
        {
            (key, keyOrigin) = HmacKeySource.Load(trailPath);
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await output.WriteLineAsync($"error: {exception.Message}");
            return SetupFailed;
        }
        await output.WriteLineAsync($"HMAC key: {keyOrigin}");

        LiteDbAuditTrail trail;
        try
        {
            trail = AuditTrail.OpenLiteDb(trailPath, new AuditTrailOptions { HmacKey = key, FailurePolicy = AuditFailurePolicy.FailClosed });
        }
        catch (AuditTrailException exception)
        {
            await output.WriteLineAsync($"error: cannot open {trailPath}: {exception.Message}");
            return SetupFailed;
        }

        await using (trail)
        {
            var recordsBefore = await RunSummary.CountAsync(trail, cancellationToken);
            var tools = AgentToolset.Create(new AuditedPatientTools(new PatientTools(ClinicRecords.CreateDemo()), trail));
            var runId = Guid.NewGuid().ToString("N")[..8];
            await output.WriteLineAsync($"Run {runId}");

            foreach (var script in ClinicalScripts.All)
                await ConversationRunner.RunAsync(script, $"{script.Name}-{runId}", tools, trail, output, cancellationToken);

            await trail.FlushAsync(cancellationToken);
            var summary = await RunSummary.CollectAsync(trail, recordsBefore, cancellationToken);
            var verification = await trail.VerifyAsync(cancellationToken);
            summary.Write(output, trailPath, verification);
            return verification.IsValid ? Success : VerificationFailed;
        }
    }
}
