using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using AuditGen.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AuditGen.Generators.Tests;

/// <summary>Drives <see cref="AuditedToolGenerator"/> over in-memory sources with the real AuditGen assemblies referenced.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default
        .WithLanguageVersion(LanguageVersion.Latest)
        .WithDocumentationMode(DocumentationMode.Diagnose);

    public static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(ToolInvocation).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(DataClass).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute).Assembly.Location),
    ];

    public static CSharpCompilation Compile(params string[] sources)
        => CSharpCompilation.Create(
            "ToolAssembly",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Tools" + i + ".cs")),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999,
                allowUnsafe: true,
                // As the .NET SDK does: the AuditGen assemblies are built against an older System.Runtime.
                specificDiagnosticOptions: [new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

    public static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            [new AuditedToolGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Every AuditGen analyzer, as the package ships them.</summary>
    public static readonly ImmutableArray<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer> Analyzers =
    [
        .. typeof(AuditedToolGenerator).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer)) && !t.IsAbstract)
            .Select(t => (Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer)Activator.CreateInstance(t)!),
    ];

    public static GeneratorRun Run(params string[] sources) => Run(Compile(sources));

    public static GeneratorRun Run(Compilation compilation)
    {
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        return new GeneratorRun(compilation, output, diagnostics, driver.GetRunResult());
    }
}

/// <summary>The outcome of one generator run.</summary>
internal sealed record GeneratorRun(Compilation Input, Compilation Output, ImmutableArray<Diagnostic> DriverDiagnostics, GeneratorDriverRunResult Result)
{
    public GeneratorRunResult Generator => Result.Results.Single();

    public ImmutableArray<Diagnostic> GeneratorDiagnostics => Generator.Diagnostics;

    /// <summary>What the analyzers report on the output compilation (generated code included), suppressed ones too.</summary>
    public ImmutableArray<Diagnostic> AnalyzerDiagnostics => _analyzerDiagnostics ??= Output
        .WithAnalyzers(GeneratorHarness.Analyzers, new Microsoft.CodeAnalysis.Diagnostics.CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true))
        .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    /// <summary>Every AUDIT### diagnostic, from the generator and the analyzers, unsuppressed.</summary>
    public IReadOnlyList<Diagnostic> AuditDiagnostics
        => GeneratorDiagnostics.Concat(AnalyzerDiagnostics).Where(d => d.Id.StartsWith("AUDIT", StringComparison.Ordinal) && !d.IsSuppressed).ToList();

    private ImmutableArray<Diagnostic>? _analyzerDiagnostics;

    public IEnumerable<string> HintNames => Generator.GeneratedSources.Select(s => s.HintName);

    public string Source(string hintName)
        => Generator.GeneratedSources.SingleOrDefault(s => s.HintName == hintName).SourceText?.ToString()
           ?? throw new Xunit.Sdk.XunitException("No generated source '" + hintName + "'; generated: " + string.Join(", ", HintNames));

    /// <summary>Warnings and errors of the compilation including generated code (undocumented public members of the test sources aside).</summary>
    public IReadOnlyList<Diagnostic> WarningsAndErrors
        => Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Where(d => !(d.Id == "CS1591" && !IsGenerated(d.Location.SourceTree)))
            .ToList();

    public INamedTypeSymbol Type(string metadataName)
        => Output.GetTypeByMetadataName(metadataName) ?? throw new Xunit.Sdk.XunitException("No type " + metadataName);

    /// <summary>Emits the output compilation and loads it in a collectible context.</summary>
    public Assembly Load()
    {
        using var stream = new MemoryStream();
        var emit = Output.Emit(stream);
        Assert.True(emit.Success, string.Join(Environment.NewLine, emit.Diagnostics));
        stream.Position = 0;
        return new AssemblyLoadContext("generated-" + Guid.NewGuid(), isCollectible: true).LoadFromStream(stream);
    }

    private static bool IsGenerated(SyntaxTree? tree) => tree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true;
}

/// <summary>Source with <c>[|marked|]</c> spans: the markers are removed and their spans remembered.</summary>
internal sealed record MarkedSource(string Text, IReadOnlyList<TextSpan> Spans)
{
    public static MarkedSource Parse(string marked)
    {
        var text = new System.Text.StringBuilder();
        var spans = new List<TextSpan>();
        int start = -1;
        for (int i = 0; i < marked.Length; i++)
        {
            if (string.CompareOrdinal(marked, i, "[|", 0, 2) == 0)
            {
                start = text.Length;
                i++;
            }
            else if (string.CompareOrdinal(marked, i, "|]", 0, 2) == 0)
            {
                spans.Add(TextSpan.FromBounds(start, text.Length));
                i++;
            }
            else
            {
                text.Append(marked[i]);
            }
        }

        return new MarkedSource(text.ToString(), spans);
    }
}

internal static class GeneratorRunExtensions
{
    /// <summary>The AUDIT003 and AUDIT006 diagnostics of a run (unsuppressed): what the shape and argument checks say.</summary>
    public static IReadOnlyList<Diagnostic> Shape(this GeneratorRun run)
        => run.AuditDiagnostics.Where(d => d.Id is "AUDIT003" or "AUDIT006").ToList();
}
