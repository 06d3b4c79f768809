using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using static AuditGen.Generators.AuditedToolGenerator;

namespace AuditGen.Generators.Tests;

/// <summary>Edits that do not touch tools leave every tracked step cached and every output untouched.</summary>
public class IncrementalCachingTests
{
    private const string Tools = """
        using System.Threading;
        using System.Threading.Tasks;
        using AuditGen;

        namespace Clinic;

        public partial class PatientTools
        {
            [AuditedTool(Domains = ComplianceDomain.Hipaa)]
            public Task<string> LookupAsync([DataClassification(DataClass.Restricted)] string mrn, CancellationToken cancellationToken = default)
            {
                // step one
                return Task.FromResult(mrn);
            }

            [AuditedTool]
            public int Count() => 1;
        }
        """;

    private static readonly string[] AllSteps =
    [
        TrackingNames.Methods, TrackingNames.Models, TrackingNames.AllModels, TrackingNames.Wrappers,
        TrackingNames.Manifest, TrackingNames.NameClaims, TrackingNames.Diagnostics,
    ];

    [Fact]
    public void Adding_an_unrelated_file_keeps_every_step_and_output_cached()
    {
        Compilation compilation = GeneratorHarness.Compile(Tools);
        Compilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; internal sealed class Unrelated { }", GeneratorHarness.ParseOptions, path: "Unrelated.cs"));

        GeneratorRunResult second = RunTwice(compilation, edited);

        AssertCached(second, AllSteps);
        AssertOutputsCached(second);
    }

    [Fact]
    public void Changing_a_comment_in_a_method_body_keeps_every_step_and_output_cached()
    {
        Compilation compilation = GeneratorHarness.Compile(Tools);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SyntaxTree changed = tree.WithChangedText(SourceText.From(tree.ToString().Replace("// step one", "// step two"), System.Text.Encoding.UTF8));

        GeneratorRunResult second = RunTwice(compilation, compilation.ReplaceSyntaxTree(tree, changed));

        AssertCached(second, AllSteps);
        AssertOutputsCached(second);
    }

    [Fact]
    public void Moving_tools_down_the_file_changes_locations_but_not_the_wrappers_or_the_manifest()
    {
        Compilation compilation = GeneratorHarness.Compile(Tools);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SyntaxTree moved = tree.WithChangedText(SourceText.From(tree.ToString().Replace("// step one", "// a much longer comment\n        // over two lines"), System.Text.Encoding.UTF8));

        GeneratorRunResult second = RunTwice(compilation, compilation.ReplaceSyntaxTree(tree, moved));

        AssertCached(second, TrackingNames.Models, TrackingNames.AllModels, TrackingNames.Wrappers, TrackingNames.Manifest);
        Assert.All(
            second.TrackedOutputSteps.SelectMany(o => o.Value).Where(step => FedBy(step, TrackingNames.Wrappers) || FedBy(step, TrackingNames.Manifest)),
            step => Assert.All(step.Outputs, output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason)));
    }

    private static GeneratorRunResult RunTwice(Compilation first, Compilation second)
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);
        GeneratorRunResult initial = driver.GetRunResult().Results.Single();
        Assert.Equal(2, initial.GeneratedSources.Length);
        driver = driver.RunGenerators(second);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Equal(initial.GeneratedSources.Select(s => s.SourceText.ToString()), result.GeneratedSources.Select(s => s.SourceText.ToString()));
        return result;
    }

    private static void AssertCached(GeneratorRunResult result, params string[] steps)
    {
        foreach (string step in steps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), "step " + step + " was not tracked");
            foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
            {
                foreach ((object _, IncrementalStepRunReason reason) in run.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, step + " was " + reason);
                }
            }
        }
    }

    private static void AssertOutputsCached(GeneratorRunResult result)
    {
        IncrementalGeneratorRunStep[] outputs = result.TrackedOutputSteps.SelectMany(o => o.Value).ToArray();
        Assert.NotEmpty(outputs);
        foreach (IncrementalGeneratorRunStep step in outputs)
        {
            // The diagnostics reporter maps spans to the current syntax trees, so it alone re-runs (it emits no source).
            if (FedBy(step, TrackingNames.Diagnostics))
            {
                continue;
            }

            Assert.All(step.Outputs, output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
        }

        Assert.Contains(outputs, step => FedBy(step, TrackingNames.Wrappers));
        Assert.Contains(outputs, step => FedBy(step, TrackingNames.Manifest));
    }

    private static bool FedBy(IncrementalGeneratorRunStep step, string name)
        => step.Name == name || step.Inputs.Any(input => FedBy(input.Source, name));
}
