using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using AuditGen.Generators.Diagnostics;

namespace AuditGen.Generators.Analyzers;

/// <summary>AUDIT007: <c>[NotAudited]</c> on a method or type with a null, empty or whitespace justification.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NotAuditedJustificationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.NotAuditedWithoutJustification);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            KnownSymbols? symbols = KnownSymbols.Create(start.Compilation);
            if (symbols?.NotAudited is not null)
            {
                start.RegisterSymbolAction(symbol => Analyze(symbol, symbols), SymbolKind.Method, SymbolKind.NamedType);
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols symbols)
    {
        if (KnownSymbols.Find(context.Symbol.GetAttributes(), symbols.NotAudited) is not { } attribute
            || attribute.ConstructorArguments.Length != 1
            || attribute.ConstructorArguments[0].Kind == TypedConstantKind.Error
            || !string.IsNullOrWhiteSpace(attribute.ConstructorArguments[0].Value as string))
        {
            return;
        }

        string name = context.Symbol.ContainingType is { } type ? type.Name + "." + context.Symbol.Name : context.Symbol.Name;
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.NotAuditedWithoutJustification,
            ArgumentTypes.ArgumentLocation(attribute, 0, null, context.CancellationToken),
            name));
    }
}
