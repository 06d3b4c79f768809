using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using AuditGen.Generators.Diagnostics;

namespace AuditGen.Generators.Analyzers;

/// <summary>
/// AUDIT005: an [AuditedTool] with neither a classification (its own <c>Classification</c>, or a classified parameter,
/// return value or argument property) nor a compliance domain (<c>Domains</c>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnclassifiedToolAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ToolNotClassified);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            KnownSymbols? symbols = KnownSymbols.Create(start.Compilation);
            if (symbols is not null)
            {
                start.RegisterSymbolAction(symbol => Analyze(symbol, symbols), SymbolKind.Method);
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols symbols)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (KnownSymbols.Find(method.GetAttributes(), symbols.AuditedTool) is not { } attribute || method.ContainingType is null)
        {
            return;
        }

        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == "Classification" || (named.Key == "Domains" && named.Value.Value is int domains && domains != 0))
            {
                return;
            }
        }

        if (symbols.Classify(method.GetReturnTypeAttributes()) != Classification.None)
        {
            return;
        }

        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (symbols.Classify(parameter.GetAttributes()) != Classification.None || HasClassifiedProperty(parameter.Type, symbols))
            {
                return;
            }
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptors.ToolNotClassified, method.Locations.FirstOrDefault(), method.ContainingType.Name + "." + method.Name));
    }

    private static bool HasClassifiedProperty(ITypeSymbol type, KnownSymbols symbols)
    {
        for (INamedTypeSymbol? level = ArgumentTypes.InSource(type); level is not null && level.SpecialType != SpecialType.System_Object; level = level.BaseType)
        {
            foreach (ISymbol member in level.GetMembers())
            {
                if (ArgumentTypes.IsRecordedProperty(member, out IPropertySymbol property)
                    && (symbols.Classify(property.GetAttributes()) != Classification.None
                        || symbols.Classify(ArgumentTypes.PositionalParameterAttributes(level, property)) != Classification.None))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
