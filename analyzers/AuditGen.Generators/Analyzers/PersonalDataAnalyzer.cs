using System;
using System.Collections.Generic;
using System.Threading;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using AuditGen.Generators.Diagnostics;

namespace AuditGen.Generators.Analyzers;

/// <summary>
/// AUDIT002: a parameter of an [AuditedTool] whose name or type says PHI/PII (see <see cref="PersonalDataNames"/>)
/// and that has no classification or redaction; likewise a public property, one level deep, of a class, struct or
/// record argument declared in this compilation (reported once, at the property, however many tools take the type,
/// so the fix edits the property and the IDE shows it where it is declared).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PersonalDataAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.PersonalDataNotClassified);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            KnownSymbols? symbols = KnownSymbols.Create(start.Compilation);
            if (symbols is null)
            {
                return;
            }

            // The source types passed unclassified to audited tools, found only when a property's name first needs it.
            Compilation compilation = start.Compilation;
            var argumentTypes = new Lazy<HashSet<INamedTypeSymbol>>(() => ArgumentTypesOfTools(compilation, symbols), LazyThreadSafetyMode.ExecutionAndPublication);
            start.RegisterSymbolAction(symbol => AnalyzeTool(symbol, symbols), SymbolKind.Method);
            start.RegisterSymbolAction(symbol => AnalyzeProperty(symbol, symbols, argumentTypes), SymbolKind.Property);
        });
    }

    private static void AnalyzeTool(SymbolAnalysisContext context, KnownSymbols symbols)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (!symbols.HasAuditedTool(method) || method.ContainingType is null)
        {
            return;
        }

        string tool = method.ContainingType.Name + "." + method.Name;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (CanCarryPersonalData(parameter.Type, symbols)
                && symbols.Classify(parameter.GetAttributes()) == Classification.None
                && Why(parameter.Name, parameter.Type) is { } why)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.PersonalDataNotClassified, parameter.Locations.FirstOrDefault(), "Parameter '" + parameter.Name + "' of tool '" + tool + "'", why));
            }
        }
    }

    /// <summary>A property of a type that some audited tool takes as an unclassified argument (reported at the property, once).</summary>
    private static void AnalyzeProperty(SymbolAnalysisContext context, KnownSymbols symbols, Lazy<HashSet<INamedTypeSymbol>> argumentTypes)
    {
        var property = (IPropertySymbol)context.Symbol;
        if (!ArgumentTypes.IsRecordedProperty(property, out _)
            || !CanCarryPersonalData(property.Type, symbols)
            || Why(property.Name, property.Type) is not { } why
            || symbols.Classify(property.GetAttributes()) != Classification.None
            || symbols.Classify(ArgumentTypes.PositionalParameterAttributes(property.ContainingType, property)) != Classification.None
            || !argumentTypes.Value.Contains(property.ContainingType))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.PersonalDataNotClassified,
            property.Locations.FirstOrDefault(),
            "Property '" + property.ContainingType.Name + "." + property.Name + "', passed to audited tools,",
            why));
    }

    /// <summary>Every source type (and its source base types) that an audited tool takes as an unclassified parameter.</summary>
    private static HashSet<INamedTypeSymbol> ArgumentTypesOfTools(Compilation compilation, KnownSymbols symbols)
    {
        var result = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(compilation.SourceModule.GlobalNamespace);
        while (pending.Count > 0)
        {
            foreach (ISymbol member in pending.Pop().GetMembers())
            {
                switch (member)
                {
                    case INamespaceOrTypeSymbol container:
                        pending.Push(container);
                        break;
                    case IMethodSymbol method when symbols.HasAuditedTool(method):
                        foreach (IParameterSymbol parameter in method.Parameters)
                        {
                            if (symbols.Classify(parameter.GetAttributes()) != Classification.None)
                            {
                                continue;
                            }

                            for (INamedTypeSymbol? level = ArgumentTypes.InSource(parameter.Type); level is not null && level.SpecialType != SpecialType.System_Object; level = level.BaseType)
                            {
                                result.Add(level);
                            }
                        }

                        break;
                }
            }
        }

        return result;
    }

    /// <summary>"name 'email'" or "type 'EmailAddress'", or null.</summary>
    private static string? Why(string name, ITypeSymbol type)
    {
        if (PersonalDataNames.Match(name) is { } term)
        {
            return "its name says '" + term + "'";
        }

        ITypeSymbol element = Element(type);
        if (element.SpecialType == SpecialType.None && element is INamedTypeSymbol { TypeKind: not TypeKind.Error } named && PersonalDataNames.Match(named.Name) is { } typeTerm)
        {
            return "its type '" + named.Name + "' says '" + typeTerm + "'";
        }

        return null;
    }

    /// <summary>A bool, a cancellation token or a delegate cannot carry personal data.</summary>
    private static bool CanCarryPersonalData(ITypeSymbol type, KnownSymbols symbols)
        => type.SpecialType != SpecialType.System_Boolean
           && type.TypeKind != TypeKind.Delegate
           && !KnownSymbols.Is(type, symbols.CancellationToken);

    private static ITypeSymbol Element(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => array.ElementType,
        INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable => nullable.TypeArguments[0],
        _ => type,
    };
}
