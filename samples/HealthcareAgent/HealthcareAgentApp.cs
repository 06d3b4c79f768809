using AuditGen;
using AuditGen.PostgreSql;
using HealthcareAgent.Agent;

namespace HealthcareAgent;

/// <summary>
/// The sample's main job: three scripted clinical conversations whose every tool call is audited to a LiteDB
/// trail (or a PostgreSQL log), followed by a summary and a verification of the whole trail.
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
        return await RunCoreAsync(trailPath, trailPath, options => Task.FromResult<IAuditTrail>(AuditTrail.OpenLiteDb(trailPath, options)),
            output, cancellationToken);
    }

    /// <summary>
    /// The same run against the PostgreSQL log <paramref name="logId"/> at <paramref name="connection"/> (a
    /// <c>postgres://</c> URI or an Npgsql connection string). Without <c>AUDITGEN_HMAC_KEY</c> the HMAC key is kept in
    /// <c>{logId}.hmac.key</c> in the current folder.
    /// </summary>
    public static async Task<int> RunOnPostgreSqlAsync(string connection, string logId, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        ArgumentNullException.ThrowIfNull(output);
        return await RunCoreAsync($"PostgreSQL log '{logId}'", Path.GetFullPath(logId),
            async options => await PostgreSqlAuditTrail.OpenAsync(connection, logId, options, cancellationToken), output, cancellationToken);
    }

    private static async Task<int> RunCoreAsync(string trailName, string keyBesidePath, Func<AuditTrailOptions, Task<IAuditTrail>> open,
        TextWriter output, CancellationToken cancellationToken)
    {
        byte[] key;
        string keyOrigin;
        try
        {
            (key, keyOrigin) = HmacKeySource.Load(keyBesidePath);
        }
        catch (Exception exception) when (exception is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            await output.WriteLineAsync($"error: {exception.Message}");
            return SetupFailed;
        }
        await output.WriteLineAsync($"HMAC key: {keyOrigin}");

        IAuditTrail trail;
        try
        {
            trail = await open(new AuditTrailOptions { HmacKey = key, FailurePolicy = AuditFailurePolicy.FailClosed });
        }
        catch (Exception exception) when (exception is AuditTrailException or ArgumentException)
        {
            await output.WriteLineAsync($"error: cannot open {trailName}: {exception.Message}");
            return SetupFailed;
        }

        await using ((IAsyncDisposable)trail)
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
            summary.Write(output, trailName, verification);
            return verification.IsValid ? Success : VerificationFailed;
        }
    }
}
