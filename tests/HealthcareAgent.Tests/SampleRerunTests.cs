namespace HealthcareAgent.Tests;

public sealed class SampleRerunTests
{
    [Fact]
    public async Task A_second_run_appends_to_the_same_trail_reuses_the_key_and_still_verifies()
    {
        using var folder = new TempFolder();
        var path = folder.File("audit.db");
        using var first = new StringWriter();
        using var second = new StringWriter();

        Assert.Equal(HealthcareAgentApp.Success, await HealthcareAgentApp.RunAsync(path, first));
        var keyAfterFirstRun = await File.ReadAllTextAsync(path + ".hmac.key");
        Assert.Equal(HealthcareAgentApp.Success, await HealthcareAgentApp.RunAsync(path, second));

        var firstCount = int.Parse(System.Text.RegularExpressions.Regex.Match(first.ToString(), @"Records written this run: (\d+)").Groups[1].Value);
        Assert.Contains($"Records written this run: {firstCount} (trail total: {firstCount * 2})", second.ToString());
        Assert.Equal(keyAfterFirstRun, await File.ReadAllTextAsync(path + ".hmac.key"));
        Assert.Contains("Verification: valid", second.ToString());
    }
}
