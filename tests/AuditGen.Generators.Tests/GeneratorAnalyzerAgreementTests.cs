using Microsoft.CodeAnalysis;

namespace AuditGen.Generators.Tests;

/// <summary>The generator and the analyzers agree: a tool is either wrapped or has an AUDIT003, and nothing is reported twice.</summary>
public class GeneratorAnalyzerAgreementTests
{
    private const string Usings = "using System; using System.Threading.Tasks; using AuditGen;\nnamespace Tools;\n";

    public static TheoryData<string> Shapes()
    {
        var data = new TheoryData<string>();
        foreach (object[] row in DiagnosticTests.CannotBeWrapped)
        {
            data.Add(MarkedSource.Parse((string)row[1]).Text);
        }

        data.Add("public partial class T { [AuditedTool] public void Good() { } [AuditedTool] public void Bad(ref int a) { } }");
        data.Add("public partial class T { [AuditedTool] public Task<int> A(int x, params string[] rest) => Task.FromResult(x); [AuditedTool] public ValueTask B<TItem>(TItem item) where TItem : class => default; }");
        data.Add("public partial class Outer { internal partial class T { [AuditedTool] internal void M() { } [AuditedTool] public static void S() { } } }");
        data.Add("public partial struct S { [AuditedTool] public int M(int a = 3) => a; }");
        data.Add("public partial record R(string Name) { [AuditedTool] public string M(Span<byte> s) => Name; [AuditedTool] public string N() => Name; }");
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_tool_the_generator_refuses_has_an_AUDIT003_and_every_wrapped_tool_has_none(string body)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + body);
        IReadOnlyList<Diagnostic> shape = run.AuditDiagnostics.Where(d => d.Id == "AUDIT003").ToList();

        foreach (IMethodSymbol tool in AuditedTools(run.Input))
        {
            bool wrapped = IsWrapped(run.Output, tool);
            bool reported = shape.Any(d => IsOn(d, tool));
            Assert.True(wrapped != reported, tool.ToDisplayString() + ": wrapped=" + wrapped + ", AUDIT003=" + reported + "; " + string.Join("; ", shape));
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void No_diagnostic_is_reported_twice(string body)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + body);

        var keys = run.AuditDiagnostics.Select(d => d.Id + "@" + d.Location.SourceSpan + ":" + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(keys.Distinct().Count(), keys.Count);
    }

    [Fact]
    public void The_generator_reports_no_shape_or_argument_problem_the_analyzers_report()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + "public class T { [AuditedTool(\"\")] public void M(ref int a, [DataClassification((DataClass)9)] string s) { } }");

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Equal(["AUDIT003", "AUDIT003", "AUDIT006", "AUDIT006"], run.Shape().Select(d => d.Id).Order());
    }

    private static IEnumerable<IMethodSymbol> AuditedTools(Compilation compilation)
        => compilation.SyntaxTrees
            .SelectMany(tree => tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>()
                .Select(m => compilation.GetSemanticModel(tree).GetDeclaredSymbol(m)))
            .OfType<IMethodSymbol>()
            .Where(m => m.GetAttributes().Any(a => a.AttributeClass?.Name == "AuditedToolAttribute"));

    private static bool IsWrapped(Compilation output, IMethodSymbol tool)
    {
        string wrapperName = (tool.ContainingType.ContainingType is null ? "Tools." : "Tools." + tool.ContainingType.ContainingType.Name + "+") + "Audited" + tool.ContainingType.MetadataName;
        return output.GetTypeByMetadataName(wrapperName) is { } wrapper
            && wrapper.GetMembers(tool.Name).OfType<IMethodSymbol>().Any(m => m.Parameters.Length == tool.Parameters.Length);
    }

    private static bool IsOn(Diagnostic diagnostic, IMethodSymbol tool)
        => tool.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == diagnostic.Location.SourceTree && r.Span.Contains(diagnostic.Location.SourceSpan))
           || diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("'" + tool.ContainingType.Name + "." + tool.Name + "'", StringComparison.Ordinal);
}
