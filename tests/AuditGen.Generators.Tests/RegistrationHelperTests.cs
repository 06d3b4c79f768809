using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AuditGen.Generators.Tests;

/// <summary>The generated <c>AddAuditedTools&lt;TTools&gt;()</c>: emitted only when the hosting extensions are referenced.</summary>
public class RegistrationHelperTests
{
    private const string HintName = "AuditGen.Generated.AuditedToolsServiceCollectionExtensions.g.cs";

    private const string Tools = """
namespace Clinic
{
    public partial class WardTools { [AuditGen.AuditedTool] public string FindWard(string ward) => ward; }
    public partial class Outer { internal partial class NestedTools { [AuditGen.AuditedTool] public void Ping() { } } }
    public partial class GenericTools<T> where T : class { [AuditGen.AuditedTool] public void Store(string key) { } }
    public partial class Host { private partial class HiddenTools { [AuditGen.AuditedTool] public void Hide() { } } }
}
""";

    private static GeneratorRun RunWithHosting()
    {
        var compilation = GeneratorHarness.Compile(Tools).AddReferences(
            MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly.Location));
        return GeneratorHarness.Run(compilation);
    }

    [Fact]
    public void With_the_hosting_extensions_referenced_the_helper_dispatches_to_each_reachable_non_generic_wrapper()
    {
        var source = RunWithHosting().Source(HintName);

        Assert.Contains("if (typeof(TTools) == typeof(global::Clinic.WardTools))", source);
        Assert.Contains("AddAuditedTools<global::Clinic.WardTools, global::Clinic.AuditedWardTools>(services, lifetime)", source);
        Assert.Contains("AddAuditedTools<global::Clinic.Outer.NestedTools, global::Clinic.Outer.AuditedNestedTools>(services, lifetime)", source);
        Assert.DoesNotContain("GenericTools", source);
        Assert.DoesNotContain("HiddenTools", source);
    }

    [Fact]
    public void The_helper_compiles_without_warnings()
    {
        var run = RunWithHosting();

        Assert.Contains(HintName, run.HintNames);
        Assert.Empty(run.WarningsAndErrors);
    }

    [Fact]
    public void Without_the_hosting_extensions_referenced_no_helper_is_emitted()
    {
        Assert.DoesNotContain(HintName, GeneratorHarness.Run(Tools).HintNames);
    }

    [Fact]
    public void An_edit_elsewhere_leaves_the_helper_cached()
    {
        var compilation = GeneratorHarness.Compile(Tools).AddReferences(
            MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection).Assembly.Location));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other { public class Unrelated { } }", (CSharpParseOptions)compilation.SyntaxTrees.First().Options));

        var second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.All(second.TrackedSteps[AuditedToolGenerator.TrackingNames.Registrations], step =>
            Assert.All(step.Outputs, output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, output.Reason.ToString())));
    }
}
