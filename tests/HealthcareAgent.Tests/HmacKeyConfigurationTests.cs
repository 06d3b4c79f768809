namespace HealthcareAgent.Tests;

/// <summary>Runs alone: it changes a process-wide environment variable the sample reads.</summary>
[CollectionDefinition("process environment", DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection;

[Collection("process environment")]
public sealed class HmacKeyConfigurationTests
{
    [Fact]
    public async Task A_malformed_hmac_key_in_the_environment_stops_the_run_before_anything_is_written()
    {
        using var folder = new TempFolder();
        var previous = Environment.GetEnvironmentVariable("AUDITGEN_HMAC_KEY");
        Environment.SetEnvironmentVariable("AUDITGEN_HMAC_KEY", Convert.ToBase64String(new byte[16]));
        try
        {
            using var output = new StringWriter();

            var exitCode = await HealthcareAgentApp.RunAsync(folder.File("audit.db"), output);

            Assert.Equal(HealthcareAgentApp.SetupFailed, exitCode);
            Assert.Contains("at least 32 are required", output.ToString());
            Assert.Empty(Directory.EnumerateFiles(folder.Path));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AUDITGEN_HMAC_KEY", previous);
        }
    }
}
