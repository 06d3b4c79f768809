using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using AuditGen.Generators.Diagnostics;

namespace AuditGen.Generators.Analyzers;

/// <summary>
/// AUDIT002: a parameter of an [AuditedTool] whose name or type says PHI/PII (see <see cref="PersonalDataNames"/>)
/// and that has no classification or redaction; likewise a public property, one level deep, of a class, struct or
/// record argument declared in this compilation (reported once at the property, however many tools take the type).
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

            // Argument types already checked: each type's properties are looked at (and reported) once.
            var checkedTypes = new ConcurrentDictionary<INamedTypeSymbol, byte>(SymbolEqualityComparer.Default);
            start.RegisterSymbolAction(symbol => Analyze(symbol, symbols, checkedTypes), SymbolKind.Method);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols symbols, ConcurrentDictionary<INamedTypeSymbol, byte> checkedTypes)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (!symbols.HasAuditedTool(method) || method.ContainingType is null)
        {
            return;
        }

        string tool = method.ContainingType.Name + "." + method.Name;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (!CanCarryPersonalData(parameter.Type, symbols) || symbols.Classify(parameter.GetAttributes()) != Classification.None)
            {
                continue;
            }

            string? why = Why(parameter.Name, parameter.Type);
            if (why is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.PersonalDataNotClassified, parameter.Locations.FirstOrDefault(), "Parameter '" + parameter.Name + "' of tool '" + tool + "'", why));
            }
            else if (ArgumentTypes.InSource(parameter.Type) is { } argumentType && checkedTypes.TryAdd(argumentType, 0))
            {
                AnalyzeProperties(context, argumentType, symbols);
            }
        }
    }

    private static void AnalyzeProperties(SymbolAnalysisContext context, INamedTypeSymbol type, KnownSymbols symbols)
    {
        for (INamedTypeSymbol? level = type; level is not null && level.SpecialType != SpecialType.System_Object; level = level.BaseType)
        {
            if (!level.Locations.Any(l => l.IsInSource))
            {
                continue;
            }

            foreach (ISymbol member in level.GetMembers())
            {
                if (!ArgumentTypes.IsRecordedProperty(member, out IPropertySymbol property)
                    || !CanCarryPersonalData(property.Type, symbols)
                    || symbols.Classify(property.GetAttributes()) != Classification.None
                    || symbols.Classify(ArgumentTypes.PositionalParameterAttributes(level, property)) != Classification.None)
                {
                    continue;
                }

                string? why = Why(property.Name, property.Type);
                if (why is not null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.PersonalDataNotClassified,
                        property.Locations.FirstOrDefault(l => l.IsInSource),
                        "Property '" + level.Name + "." + property.Name + "', passed to audited tools,",
                        why));
                }
            }
        }
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
