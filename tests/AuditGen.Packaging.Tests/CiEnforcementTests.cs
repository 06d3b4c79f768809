namespace AuditGen.Packaging.Tests;

/// <summary>CI fails the build of a project with an unaudited tool and an unclassified PHI parameter.</summary>
[Collection(DotnetProcesses.Name)]
public class CiEnforcementTests
{
    [Fact]
    public async Task The_UnauditedTools_sample_fails_its_build_with_AUDIT001_escalated_by_editorconfig_and_AUDIT002()
    {
        using var temp = new TempFolder();

        // Warnings stay warnings here (the repository makes them errors), so only .editorconfig can make AUDIT001 an error.
        (int exitCode, string output) = await Dotnet.RunAsync(
            Dotnet.RepositoryRoot,
            "build", Path.Combine("samples", "UnauditedTools", "UnauditedTools.csproj"),
            "--artifacts-path", temp.Combine("artifacts"), "--disable-build-servers", "-nodeReuse:false",
            "-p:TreatWarningsAsErrors=false");

        Assert.True(exitCode != 0, "the build succeeded:\n" + output);
        Assert.Contains("error AUDIT001: The tool method 'BillingTools.FindContact' is not audited", output);
        Assert.Contains("error AUDIT002: Parameter 'cardNumber' of tool 'BillingTools.Charge' looks like personal data", output);
        Assert.DoesNotContain("error CS", output);
    }
}
