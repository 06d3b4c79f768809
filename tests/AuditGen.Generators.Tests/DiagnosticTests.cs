using Microsoft.CodeAnalysis;

namespace AuditGen.Generators.Tests;

/// <summary>
/// AUDIT003 (cannot be wrapped) and AUDIT006 (invalid attribute arguments), at the right place, and nothing for
/// look-alikes: reported by the analyzers (duplicate names by the generator), each exactly once.
/// </summary>
public class DiagnosticTests
{
    private const string Usings = "using System; using System.Threading.Tasks; using AuditGen;\nnamespace Tools;\n";

    public static TheoryData<string, string, string> CannotBeWrapped => new()
    {
        { "ref parameter", "public partial class T { [AuditedTool] public void M(ref int [|a|]) { } }", "parameter 'a' is passed by 'ref'" },
        { "out parameter", "public partial class T { [AuditedTool] public void M(out int [|a|]) { a = 1; } }", "parameter 'a' is passed by 'out'" },
        { "in parameter", "public partial class T { [AuditedTool] public void M(in int [|a|]) { } }", "parameter 'a' is passed by 'in'" },
        { "pointer parameter", "public unsafe partial class T { [AuditedTool] public void M(int* [|p|]) { } }", "parameter 'p' has pointer type 'int*'" },
        { "function pointer parameter", "public unsafe partial class T { [AuditedTool] public void M(delegate*<void> [|p|]) { } }", "parameter 'p' has pointer type" },
        { "pointer return", "public unsafe partial class T { [AuditedTool] public [|int*|] M() => null; }", "it returns pointer type 'int*'" },
        { "ref struct parameter", "public partial class T { [AuditedTool] public void M(Span<int> [|s|]) { } }", "parameter 's' has ref struct type 'System.Span<int>'" },
        { "ref struct return", "public partial class T { [AuditedTool] public [|ReadOnlySpan<char>|] M() => default; }", "it returns ref struct type" },
        { "ref return", "public partial class T { private int _x; [AuditedTool] public [|ref int|] M() => ref _x; }", "it returns by reference" },
        { "static method", "public partial class T { [AuditedTool] public static void [|M|]() { } }", "it is static" },
        { "private method", "public partial class T { [AuditedTool] private void [|M|]() { } }", "it is private" },
        { "protected method", "public partial class T { [AuditedTool] protected void [|M|]() { } }", "it is protected" },
        { "type not partial", "public class T { [AuditedTool] public void [|M|]() { } }", "its containing type 'T' is not partial" },
        { "outer type not partial", "public class Outer { public partial class T { [AuditedTool] public void [|M|]() { } } }", "the outer type 'Outer' of its containing type is not partial" },
        { "private nested type", "public partial class Outer { private partial class T { [AuditedTool] public void [|M|]() { } } }", "its containing type 'T' is private" },
        { "file-local type", "file partial class T { [AuditedTool] public void [|M|]() { } }", "type 'T' is file-local" },
    };

    [Theory]
    [MemberData(nameof(CannotBeWrapped))]
    public void A_tool_that_cannot_be_wrapped_is_reported_as_AUDIT003_saying_why(string reason, string marked, string message)
    {
        MarkedSource source = MarkedSource.Parse(Usings + marked);
        GeneratorRun run = GeneratorHarness.Run(source.Text);

        Diagnostic diagnostic = Assert.Single(run.Shape());
        Assert.Equal("AUDIT003", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(source.Spans[0] == diagnostic.Location.SourceSpan, reason + ": reported at " + diagnostic.Location.SourceSpan + ", expected " + source.Spans[0]);
        Assert.Equal("https://github.com/auditgen/auditgen/blob/main/docs/diagnostics.md#audit003", diagnostic.Descriptor.HelpLinkUri);
        Assert.Equal("AuditGen", diagnostic.Descriptor.Category);
    }

    [Fact]
    public void A_method_that_cannot_be_wrapped_is_left_out_while_the_rest_of_its_type_is_still_wrapped()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + "public partial class T { [AuditedTool] public void Good() { } [AuditedTool] public void Bad(ref int a) { } }");

        Assert.Equal("AUDIT003", Assert.Single(run.Shape()).Id);
        INamedTypeSymbol wrapper = run.Type("Tools.AuditedT");
        Assert.NotEmpty(wrapper.GetMembers("Good"));
        Assert.Empty(wrapper.GetMembers("Bad"));
        Assert.DoesNotContain(run.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }

    public static TheoryData<string, string, string> InvalidArguments => new()
    {
        { "empty name", "public partial class T { [AuditedTool([|\"\"|])] public void M() { } }", "the tool name must not be empty or whitespace" },
        { "whitespace name", "public partial class T { [AuditedTool([|\"  \"|])] public void M() { } }", "the tool name must not be empty or whitespace" },
        { "undefined classification", "public partial class T { [AuditedTool(Classification = [|(DataClass)42|])] public void M() { } }", "Classification value 42 is not a defined DataClass value" },
        { "unknown domain bits", "public partial class T { [AuditedTool(Domains = [|ComplianceDomain.Hipaa | (ComplianceDomain)128|])] public void M() { } }", "Domains value 129 is not a defined ComplianceDomain value" },
        { "undefined action", "public partial class T { [AuditedTool(Action = [|(AuditAction)99|])] public void M() { } }", "Action value 99 is not a defined AuditAction value" },
        { "undefined failure policy", "public partial class T { [AuditedTool(FailurePolicy = [|(AuditFailurePolicy)7|])] public void M() { } }", "FailurePolicy value 7 is not a defined AuditFailurePolicy value" },
        { "undefined parameter classification", "public partial class T { [AuditedTool] public void M([DataClassification([|(DataClass)5|])] string s) { } }", "DataClassification of 's' value 5 is not a defined DataClass value" },
        { "undefined redaction", "public partial class T { [AuditedTool] public void M([Redact([|(RedactionStrategy)17|])] string s) { } }", "Redact strategy of 's' value 17 is not a defined RedactionStrategy value" },
        { "duplicate name in the compilation", "public partial class T { [AuditedTool(\"find\")] public void A() { } } public partial class U { [AuditedTool([|\"find\"|])] public void B() { } }", "the tool name 'find' is already used by 'T.A'" },
        { "duplicate derived name", "public partial class T { [AuditedTool] public void Lookup() { } } public partial class U { [[|AuditedTool|]] public Task LookupAsync() => Task.CompletedTask; }", "the tool name 'lookup' is already used by 'T.Lookup'" },
    };

    [Theory]
    [MemberData(nameof(InvalidArguments))]
    public void Invalid_attribute_arguments_are_reported_as_AUDIT006_at_the_argument(string @case, string marked, string message)
    {
        MarkedSource source = MarkedSource.Parse(Usings + marked);
        GeneratorRun run = GeneratorHarness.Run(source.Text);

        Diagnostic diagnostic = Assert.Single(run.Shape());
        Assert.Equal("AUDIT006", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(source.Spans[0] == diagnostic.Location.SourceSpan, @case + ": reported at " + diagnostic.Location.SourceSpan + ", expected " + source.Spans[0]);
    }

    [Theory]
    [InlineData("a parameter merely named like a modifier", "public partial class T { [AuditedTool] public void M(int @ref, string @out) { } }")]
    [InlineData("a Memory<T> parameter (not a ref struct)", "public partial class T { [AuditedTool] public void M(ReadOnlyMemory<byte> data) { } }")]
    [InlineData("a class named Span", "public sealed class Span { } public partial class T { [AuditedTool] public void M(Span s) { } }")]
    [InlineData("internal and protected internal tools", "public partial class T { [AuditedTool] internal void A() { } [AuditedTool] protected internal void B() { } }")]
    [InlineData("a nested type in partial outer types", "public partial class Outer { internal partial class T { [AuditedTool] public void M() { } } }")]
    [InlineData("overloads with distinct names", "public partial class T { [AuditedTool(\"m_int\")] public void M(int a) { } [AuditedTool(\"m_text\")] public void M(string a) { } }")]
    [InlineData("a static helper and a ref method that are not tools", "public partial class T { public static void Helper(ref int a) { } [AuditedTool] public void M() { } }")]
    [InlineData("defined enum values and flag combinations", "public partial class T { [AuditedTool(Classification = DataClass.Public, Domains = ComplianceDomain.Hipaa | ComplianceDomain.Gdpr | ComplianceDomain.EuAiAct, Action = AuditAction.DataModified, FailurePolicy = AuditFailurePolicy.FailOpen)] public void M([DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac)] string s) { } }")]
    [InlineData("the Seal strategy on a parameter and the result", "public partial class T { [AuditedTool(Domains = ComplianceDomain.Gdpr)] [return: Redact(RedactionStrategy.Seal)] public string M([DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Seal)] string note, [SubjectId] string mrn) => note; }")]
    [InlineData("the same name in different casing", "public partial class T { [AuditedTool(\"find\")] public void A() { } [AuditedTool(\"Find\")] public void B() { } }")]
    [InlineData("a method named like the tool of another", "public partial class T { [AuditedTool(\"lookup_patient\")] public void A() { } public void LookupPatient() { } }")]
    public void Look_alikes_are_not_reported(string @case, string source)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + source);

        Assert.True(run.Shape().Count == 0, @case + ": " + string.Join("; ", run.Shape()));
        Assert.Empty(run.WarningsAndErrors);
    }

    [Fact]
    public void A_pragma_suppresses_an_AUDIT003_like_any_other_diagnostic()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + """
            public partial class T
            {
            #pragma warning disable AUDIT003
                [AuditedTool] public static void Suppressed() { }
            #pragma warning restore AUDIT003
                [AuditedTool] public static void Reported() { }
            }
            """);

        Diagnostic suppressed = Assert.Single(run.AnalyzerDiagnostics, d => d.Id == "AUDIT003" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("T.Suppressed"));
        Diagnostic reported = Assert.Single(run.AnalyzerDiagnostics, d => d.Id == "AUDIT003" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("T.Reported"));
        Assert.True(suppressed.IsSuppressed);
        Assert.False(reported.IsSuppressed);
    }
}
