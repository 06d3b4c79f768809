using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AuditGen.Analyzers.Tests;

/// <summary>No analyzer throws (AD0001) on code as it is while being typed: half-typed members, missing types, syntax errors.</summary>
public class RobustnessTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> s_analyzers =
    [
        .. typeof(AuditGen.Generators.AuditedToolGenerator).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(DiagnosticAnalyzer)) && !t.IsAbstract)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!),
    ];

    [Theory]
    [InlineData("a half-typed method", "public partial class T { [AuditedTool(Domains = ComplianceDomain.Hipaa)] public void M(string ema")]
    [InlineData("a half-typed attribute", "public partial class T { [AuditedTool(Domains = ComplianceDomain.] public void M(string email) { } }")]
    [InlineData("an unclosed attribute", "public partial class T { [AuditedTool( public void M() { } }")]
    [InlineData("a missing parameter type", "public partial class T { [AuditedTool] public void M(Missing email, [DataClassification(DataClass.Restricted)] Missing ssn) { Console.WriteLine(ssn); } }")]
    [InlineData("a missing attribute type", "public partial class T { [Missing, Description(\"d\")] public void M([Missing] string email) { } }")]
    [InlineData("a missing logger type", "public partial class T { [AuditedTool] public void M([DataClassification(DataClass.Restricted)] string ssn, MissingLogger log) { log.LogInformation(ssn); log.Missing(ssn); } }")]
    [InlineData("a half-typed log call", "public partial class T { ILogger _l = null!; [AuditedTool] public void M([DataClassification(DataClass.Restricted)] string ssn) { _l.LogInformation($\"{ssn\"")]
    [InlineData("a half-typed interpolation", "public class T { public void M([Redact(RedactionStrategy.Erase)] string ssn) { Console.WriteLine($\"{ssn.\"); } }")]
    [InlineData("a NotAudited without arguments", "public class T { [NotAudited] public void M() { } [NotAudited(42)] public void N() { } }")]
    [InlineData("a wrongly typed classification", "public class T { public void M([DataClassification(\"high\")] string email, [Redact] string phone) { } }")]
    [InlineData("a missing base type of an argument", "public record R(string Email) : MissingBase; public partial class T { [AuditedTool] public void M(R r) { } }")]
    [InlineData("a missing containing type member", "public partial class T : IMissing { [AuditedTool] public void M(ref Missing m) { } }")]
    [InlineData("a tool in a namespace being typed", "namespace A.; public partial class T { [AuditedTool] public void M() { } }")]
    [InlineData("an operator and a conversion", "public partial class T { [AuditedTool] public static T operator +(T a, T b) => a; [Description(\"d\")] public static implicit operator int(T t) => 0; }")]
    [InlineData("a local function with attributes", "public partial class T { public void M() { [AuditedTool] void L([DataClassification(DataClass.Restricted)] string ssn) { Console.WriteLine(ssn); } L(\"\"); } }")]
    [InlineData("an empty file", "")]
    public async Task No_analyzer_throws_on_incomplete_code(string @case, string source)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Broken",
            [CSharpSyntaxTree.ParseText(TestReferences.Usings + source, path: "Broken.cs")],
            TestReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), (exception, _, _) => exceptions.Add(exception), concurrentAnalysis: true, logAnalyzerExecutionTime: false);

        ImmutableArray<Diagnostic> diagnostics = await compilation.WithAnalyzers(s_analyzers, options).GetAnalyzerDiagnosticsAsync();

        Assert.True(exceptions.Count == 0, @case + ": " + string.Join(Environment.NewLine, exceptions));
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
    }
}
