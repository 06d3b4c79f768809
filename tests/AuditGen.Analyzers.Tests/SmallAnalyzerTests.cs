using AuditGen.Generators.Analyzers;

namespace AuditGen.Analyzers.Tests;

/// <summary>AUDIT005 (no classification or domain), AUDIT006 beyond [AuditedTool] (properties), AUDIT007 (empty justification), AUDIT003 (from the analyzer).</summary>
public class SmallAnalyzerTests
{
    [Fact]
    public Task An_audited_tool_with_neither_classification_nor_domain_is_reported()
        => Verify<UnclassifiedToolAnalyzer>.AnalyzerAsync("public partial class T { [AuditedTool] public void {|AUDIT005:M|}(string panel) { } }");

    [Theory]
    [InlineData("a domain", "[AuditedTool(Domains = ComplianceDomain.Soc2)] public void M() { }")]
    [InlineData("an explicit classification", "[AuditedTool(Classification = DataClass.Public)] public void M() { }")]
    [InlineData("a classified parameter", "[AuditedTool] public void M([DataClassification(DataClass.Internal)] string panel) { }")]
    [InlineData("a classified return value", "[AuditedTool] [return: DataClassification(DataClass.Confidential)] public string M() => \"\";")]
    [InlineData("a classified property of an argument", "[AuditedTool] public void M(Order order) { }")]
    public async Task An_audited_tool_with_a_classification_or_domain_is_not_reported(string @case, string member)
    {
        _ = @case;
        await Verify<UnclassifiedToolAnalyzer>.AnalyzerAsync("public sealed record Order([DataClassification(DataClass.Confidential)] string Item); public partial class T { " + member + " }");
    }

    [Fact]
    public Task An_audited_tool_with_Domains_None_is_reported()
        => Verify<UnclassifiedToolAnalyzer>.AnalyzerAsync("public partial class T { [AuditedTool(Domains = ComplianceDomain.None)] public void {|AUDIT005:M|}() { } }");

    [Fact]
    public Task An_undefined_classification_on_a_property_is_reported_at_the_argument()
        => Verify<AttributeArgumentsAnalyzer>.AnalyzerAsync("public sealed class Order { [DataClassification({|AUDIT006:(DataClass)9|})] public string Item { get; set; } = \"\"; }");

    [Fact]
    public Task An_undefined_classification_on_a_positional_record_parameter_is_reported()
        => Verify<AttributeArgumentsAnalyzer>.AnalyzerAsync("public sealed record Order([Redact({|AUDIT006:(RedactionStrategy)40|})] string Item);");

    [Fact]
    public Task The_Seal_strategy_is_a_defined_redaction_strategy()
        => Verify<AttributeArgumentsAnalyzer>.AnalyzerAsync("public sealed record Note([Redact(RedactionStrategy.Seal)] string Text); public partial class T { [AuditedTool(Domains = ComplianceDomain.Gdpr)] [return: Redact(RedactionStrategy.Seal)] public string M([DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Seal), SubjectId] string mrn) => mrn; }");

    [Fact]
    public Task A_sealed_personal_data_parameter_counts_as_classified()
        => Verify<PersonalDataAnalyzer>.AnalyzerAsync("public partial class T { [AuditedTool(Domains = ComplianceDomain.Gdpr)] public void M([Redact(RedactionStrategy.Seal)] string diagnosis, [Redact(RedactionStrategy.Seal)] string email) { } }");

    [Theory]
    [InlineData("[NotAudited({|AUDIT007:\"\"|})] public class T { }")]
    [InlineData("public class T { [NotAudited({|AUDIT007:\"   \"|})] public void M() { } }")]
    [InlineData("public class T { [NotAudited({|AUDIT007:null!|})] public void M() { } }")]
    public Task NotAudited_without_a_justification_is_reported(string source)
        => Verify<NotAuditedJustificationAnalyzer>.AnalyzerAsync(source);

    [Fact]
    public Task NotAudited_with_a_justification_is_not_reported()
        => Verify<NotAuditedJustificationAnalyzer>.AnalyzerAsync("public class T { [NotAudited(\"Returns the server's clock; touches no data.\")] public void M() { } }");

    [Fact]
    public Task A_tool_in_a_type_that_is_not_partial_is_reported_with_the_reason_for_the_fix()
        => Verify<ToolShapeAnalyzer>.AnalyzerAsync("public class T { [AuditedTool] public void {|AUDIT003:M|}() { } [AuditedTool] public void {|AUDIT003:N|}(ref int {|AUDIT003:a|}) { } }");
}
