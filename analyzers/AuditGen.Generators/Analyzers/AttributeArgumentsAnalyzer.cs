using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using AuditGen.Generators.Diagnostics;
using AuditGen.Generators.Parsing;

namespace AuditGen.Generators.Analyzers;

/// <summary>
/// AUDIT006: an empty or whitespace tool name, and enum arguments that are not defined values ([AuditedTool]'s
/// <c>Domains</c>, <c>Classification</c>, <c>Action</c>, <c>FailurePolicy</c>; <c>[DataClassification]</c> and
/// <c>[Redact]</c> wherever they are written). Duplicate tool names need the whole compilation's tools and are
/// reported by the generator, which collects them anyway.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AttributeArgumentsAnalyzer : DiagnosticAnalyzer
{
    private static readonly string[] s_enumArguments = { "Domains", "Classification", "Action", "FailurePolicy" };

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.InvalidAttributeArguments);

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
                start.RegisterSymbolAction(symbol => Analyze(symbol, symbols), SymbolKind.Method, SymbolKind.Property, SymbolKind.Field);
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols symbols)
    {
        ISymbol symbol = context.Symbol;
        string owner = symbol.ContainingType is { } type ? type.Name + "." + symbol.Name : symbol.Name;
        if (symbol is IMethodSymbol method)
        {
            if (KnownSymbols.Find(method.GetAttributes(), symbols.AuditedTool) is { } tool)
            {
                AnalyzeTool(context, tool, owner);
            }

            AnalyzeData(context, method.GetReturnTypeAttributes(), "return value", owner, symbols);
            foreach (IParameterSymbol parameter in method.Parameters)
            {
                AnalyzeData(context, parameter.GetAttributes(), parameter.Name, owner, symbols);
            }
        }
        else
        {
            AnalyzeData(context, symbol.GetAttributes(), symbol.Name, owner, symbols);
        }
    }

    private static void AnalyzeTool(SymbolAnalysisContext context, AttributeData tool, string owner)
    {
        if (tool.ConstructorArguments.Length == 1
            && tool.ConstructorArguments[0] is { Kind: TypedConstantKind.Primitive, Value: string name }
            && string.IsNullOrWhiteSpace(name))
        {
            Report(context, tool, 0, null, owner, "the tool name must not be empty or whitespace");
        }

        foreach (KeyValuePair<string, TypedConstant> named in tool.NamedArguments)
        {
            if (System.Array.IndexOf(s_enumArguments, named.Key) >= 0 && Undefined(named.Value, named.Key) is { } problem)
            {
                Report(context, tool, null, named.Key, owner, problem);
            }
        }
    }

    private static void AnalyzeData(SymbolAnalysisContext context, ImmutableArray<AttributeData> attributes, string subject, string owner, KnownSymbols symbols)
    {
        foreach (AttributeData attribute in attributes)
        {
            string? what = KnownSymbols.Is(attribute.AttributeClass, symbols.DataClassification) ? "DataClassification of '" + subject + "'"
                : KnownSymbols.Is(attribute.AttributeClass, symbols.Redact) ? "Redact strategy of '" + subject + "'"
                : null;
            if (what is not null && attribute.ConstructorArguments.Length == 1 && Undefined(attribute.ConstructorArguments[0], what) is { } problem)
            {
                Report(context, attribute, 0, null, owner, problem);
            }
        }
    }

    /// <summary>"X value 42 is not a defined E value", or null when the constant is a defined value (or flag combination).</summary>
    private static string? Undefined(TypedConstant constant, string what)
    {
        if (constant.Kind != TypedConstantKind.Enum || constant.Type is not INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType
            || !Formatting.TryToInt64(constant.Value, out long value))
        {
            return null;
        }

        Formatting.EnumExpression(enumType, value, out bool defined);
        return defined ? null : string.Format(CultureInfo.InvariantCulture, "{0} value {1} is not a defined {2} value", what, value, enumType.Name);
    }

    private static void Report(SymbolAnalysisContext context, AttributeData attribute, int? position, string? name, string owner, string problem)
        => context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.InvalidAttributeArguments,
            ArgumentTypes.ArgumentLocation(attribute, position, name, context.CancellationToken),
            owner,
            problem));
}
