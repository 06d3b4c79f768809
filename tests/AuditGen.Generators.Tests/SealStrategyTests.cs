using System.Reflection;

namespace AuditGen.Generators.Tests;

/// <summary><see cref="RedactionStrategy.Seal"/> passes through the generator into the descriptors like every other strategy.</summary>
public class SealStrategyTests
{
    private const string Source = """
        using AuditGen;

        namespace Clinic
        {
            public sealed record Visit([property: AuditGen.DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Seal)] string Notes, [property: SubjectId] string PatientId);

            public partial class NoteTools
            {
                [AuditedTool(Domains = ComplianceDomain.Gdpr)]
                [return: Redact(RedactionStrategy.Seal)]
                public string RecordNote([SubjectId] string mrn, [AuditGen.DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Seal)] string note) => note;

                [AuditedTool(Domains = ComplianceDomain.Gdpr)]
                public void RecordVisit(Visit visit) { }
            }
        }
        """;

    [Fact]
    public void Sealed_parameters_properties_and_results_are_emitted_with_the_Seal_strategy_and_compile_cleanly()
    {
        GeneratorRun run = GeneratorHarness.Run(Source);

        Assert.Empty(run.Shape());
        Assert.Empty(run.WarningsAndErrors);
        Type manifest = run.Load().GetType("AuditGen.Generated.AuditedToolManifest", throwOnError: true)!;
        var tools = (IReadOnlyList<ToolDescriptor>)manifest.GetProperty("Tools", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        ToolDescriptor note = tools.Single(t => t.Name == "record_note");
        Assert.Equal([null, RedactionStrategy.Seal], note.Parameters.Select(p => p.Redaction));
        Assert.Equal(RedactionStrategy.Seal, note.Returns.Redaction);
        ToolDescriptor visit = tools.Single(t => t.Name == "record_visit");
        Assert.Equal([RedactionStrategy.Seal, null], visit.Parameters[0].Properties.Select(p => p.Redaction));
        Assert.Contains(run.HintNames, h => run.Source(h).Contains("global::AuditGen.RedactionStrategy.Seal", StringComparison.Ordinal));
    }
}
