using Microsoft.CodeAnalysis;

namespace AuditGen.Generators.Tests;

/// <summary>The generator never throws, whatever state the code is in.</summary>
public class RobustnessTests
{
    [Theory]
    [InlineData("syntax errors", "using AuditGen; public partial class T { [AuditedTool] public void M(int a { } ")]
    [InlineData("a missing parameter type", "using AuditGen; public partial class T { [AuditedTool] public void M(Missing m) { } }")]
    [InlineData("a missing return type", "using AuditGen; using System.Threading.Tasks; public partial class T { [AuditedTool] public Task<Missing> M() => null!; }")]
    [InlineData("a half-typed attribute", "using AuditGen; public partial class T { [AuditedTool(Domains = ComplianceDomain.] public void M() { } }")]
    [InlineData("an unclosed attribute", "using AuditGen; public partial class T { [AuditedTool( public void M() { } }")]
    [InlineData("a wrongly typed attribute argument", "using AuditGen; public partial class T { [AuditedTool(42, Classification = \"high\")] public void M() { } }")]
    [InlineData("an attribute on a local function", "using AuditGen; public partial class T { public void M() { [AuditedTool] void Local() { } Local(); } }")]
    [InlineData("a missing interface", "using AuditGen; public partial class T : IMissing { [AuditedTool] public void M() { } }")]
    [InlineData("a method without a body in an interface", "using AuditGen; public partial interface I { [AuditedTool] void M(); }")]
    [InlineData("an explicit interface implementation", "using AuditGen; public interface I { void M(); } public partial class T : I { [AuditedTool] void I.M() { } }")]
    [InlineData("an attribute on a property", "using AuditGen; public partial class T { [AuditedTool] public int P { get; set; } }")]
    public void Broken_or_odd_code_never_makes_the_generator_throw(string @case, string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.True(run.Generator.Exception is null, @case + ": " + run.Generator.Exception);
        Assert.DoesNotContain(run.DriverDiagnostics, d => d.Id is "AD0001" or "CS8785");
        Assert.DoesNotContain(run.Output.GetDiagnostics(), d => d.Id is "AD0001" or "CS8785");
        Assert.All(run.GeneratorDiagnostics, d => Assert.StartsWith("AUDIT", d.Id));
        Assert.DoesNotContain(run.AnalyzerDiagnostics, d => d.Id == "AD0001");
    }

    [Fact]
    public void Code_that_does_not_reference_AuditGen_produces_nothing()
    {
        GeneratorRun run = GeneratorHarness.Run("public partial class T { [AuditedTool] public void M() { } }");

        Assert.Empty(run.Generator.GeneratedSources);
        Assert.Empty(run.GeneratorDiagnostics);
    }
}
