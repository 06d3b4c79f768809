using System.Reflection;

namespace AuditGen.Generators.Tests;

/// <summary>The assembly-wide manifest, read back from the compiled assembly.</summary>
public class ManifestTests
{
    private const string Source = """
        using System.Threading;
        using System.Threading.Tasks;
        using AuditGen;
        using Microsoft.Extensions.Compliance.Classification;

        namespace Clinic
        {
            public sealed class TeamTaxonomyAttribute : Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute
            {
                public TeamTaxonomyAttribute() : base(new DataClassification("team", "pii")) { }
            }

            public sealed record Visit([property: AuditGen.DataClassification(DataClass.Restricted)] string Diagnosis, [property: SubjectId] string PatientId, int Room);

            public partial class PatientTools
            {
                [AuditedTool(ResourceType = "Patient", Domains = ComplianceDomain.Hipaa | ComplianceDomain.Gdpr, Action = AuditAction.DataAccessed)]
                public Task<string> LookupPatientAsync([AuditGen.DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac), SubjectId] string mrn, CancellationToken cancellationToken = default)
                    => Task.FromResult(mrn);

                [AuditedTool("record_visit", Classification = DataClass.Confidential)]
                public void RecordVisit(Visit visit, [ResourceId] int ward) { }

                [AuditedTool]
                public string? FindEmail([TeamTaxonomy] string name) => null;

                [AuditedTool]
                [return: AuditGen.DataClassification(DataClass.Restricted)]
                public string ReadChart() => "";
            }
        }

        public partial class Billing
        {
            [AuditedTool(Domains = ComplianceDomain.Financial | ComplianceDomain.Pci)]
            public int Charge(decimal amount) => 1;
        }
        """;

    private static IReadOnlyList<ToolDescriptor> Manifest()
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        Assert.Empty(run.Shape());
        Assert.Empty(run.WarningsAndErrors);
        Type manifest = run.Load().GetType("AuditGen.Generated.AuditedToolManifest", throwOnError: true)!;
        return (IReadOnlyList<ToolDescriptor>)manifest.GetProperty("Tools", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
    }

    [Fact]
    public void The_manifest_lists_every_tool_of_the_compilation_with_its_classification_and_domains()
    {
        IReadOnlyList<ToolDescriptor> tools = Manifest();

        Assert.Equal(["lookup_patient", "record_visit", "find_email", "read_chart", "charge"], tools.Select(t => t.Name));
        Assert.Equal(
            [DataClass.Restricted, DataClass.Confidential, DataClass.Confidential, DataClass.Restricted, DataClass.Internal],
            tools.Select(t => t.Classification));
        Assert.Equal(
            [ComplianceDomain.Hipaa | ComplianceDomain.Gdpr, ComplianceDomain.None, ComplianceDomain.None, ComplianceDomain.None, ComplianceDomain.Financial | ComplianceDomain.Pci],
            tools.Select(t => t.Domains));
        Assert.Equal(["Clinic.PatientTools", "Clinic.PatientTools", "Clinic.PatientTools", "Clinic.PatientTools", "Billing"], tools.Select(t => t.ContainingType));
    }

    [Fact]
    public void A_tool_descriptor_describes_parameters_without_the_cancellation_token()
    {
        ToolDescriptor lookup = Manifest()[0];

        Assert.Equal(AuditAction.DataAccessed, lookup.Action);
        Assert.Equal("Patient", lookup.ResourceType);
        Assert.Equal("LookupPatientAsync", lookup.MethodName);
        ToolParameter mrn = Assert.Single(lookup.Parameters);
        Assert.Equal(new ToolParameter("mrn", "string", DataClass.Restricted, RedactionStrategy.Hmac, ToolParameterRole.SubjectId, []), mrn with { Properties = [] });
        Assert.Equal("string", lookup.Returns.TypeName);
    }

    [Fact]
    public void An_object_argument_with_classified_properties_lists_all_its_public_properties()
    {
        ToolDescriptor visit = Manifest()[1];

        ToolParameter argument = visit.Parameters[0];
        Assert.Equal("Clinic.Visit", argument.TypeName);
        Assert.Equal(["Diagnosis", "PatientId", "Room"], argument.Properties.Select(p => p.Name));
        Assert.Equal([DataClass.Restricted, null, null], argument.Properties.Select(p => p.Classification));
        Assert.Equal([ToolParameterRole.None, ToolParameterRole.SubjectId, ToolParameterRole.None], argument.Properties.Select(p => p.Role));
        Assert.Equal(ToolParameterRole.ResourceId, visit.Parameters[1].Role);
        Assert.Empty(visit.Parameters[1].Properties);
        Assert.Equal("void", visit.Returns.TypeName);
    }

    [Fact]
    public void A_team_taxonomy_classification_counts_as_confidential_and_a_classified_return_raises_the_tool()
    {
        IReadOnlyList<ToolDescriptor> tools = Manifest();

        Assert.Equal(DataClass.Confidential, tools[2].Parameters[0].Classification);
        Assert.Equal("string?", tools[2].Returns.TypeName);
        Assert.Equal(DataClass.Restricted, tools[3].Returns.Classification);
    }

    [Fact]
    public void Each_wrapper_exposes_the_descriptors_of_its_own_tools()
    {
        GeneratorRun run = GeneratorHarness.Run(Source);
        Assembly assembly = run.Load();

        var wrapperTools = (IReadOnlyList<ToolDescriptor>)assembly.GetType("Clinic.AuditedPatientTools", throwOnError: true)!
            .GetProperty("Tools", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

        Assert.Equal(["lookup_patient", "record_visit", "find_email", "read_chart"], wrapperTools.Select(t => t.Name));
    }
}
