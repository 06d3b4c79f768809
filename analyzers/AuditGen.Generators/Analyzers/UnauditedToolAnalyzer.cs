using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using AuditGen.Generators.Diagnostics;

namespace AuditGen.Generators.Analyzers;

/// <summary>
/// AUDIT001: a public method an agent can call that is neither audited nor exempted. A method is a tool when it
/// carries an agent-tool marker (<c>[Description]</c>, <c>[KernelFunction]</c>, <c>[McpServerTool]</c>), or when it
/// is a public instance method of a class that has [AuditedTool] methods or is an <c>[McpServerToolType]</c>
/// (overrides and <c>Dispose</c>/<c>DisposeAsync</c> aside: they are not tools).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnauditedToolAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ToolNotAudited);

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

            // Whether a type has [AuditedTool] methods, computed once per type however many methods it has.
            var hasAuditedTools = new ConcurrentDictionary<INamedTypeSymbol, bool>(SymbolEqualityComparer.Default);
            start.RegisterSymbolAction(symbol => Analyze(symbol, symbols, hasAuditedTools), SymbolKind.Method);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols symbols, ConcurrentDictionary<INamedTypeSymbol, bool> hasAuditedTools)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (method.MethodKind != MethodKind.Ordinary
            || method.DeclaredAccessibility != Accessibility.Public
            || method.ContainingType is not { TypeKind: TypeKind.Class or TypeKind.Struct } type
            || method.IsImplicitlyDeclared)
        {
            return;
        }

        ImmutableArray<AttributeData> attributes = method.GetAttributes();
        string? why = null;
        foreach (AttributeData attribute in attributes)
        {
            if (symbols.IsAuditedTool(attribute) || symbols.IsNotAudited(attribute))
            {
                return;
            }

            if (why is null && attribute.AttributeClass is { } attributeClass && symbols.ToolMarkers.Contains(attributeClass, SymbolEqualityComparer.Default))
            {
                why = "it carries [" + ShortName(attributeClass) + "]";
            }
        }

        if (IsExempted(type, symbols))
        {
            return;
        }

        if (why is null)
        {
            if (method.IsStatic || method.IsOverride || method.IsAbstract || IsDisposal(method, symbols))
            {
                return;
            }

            if (KnownSymbols.Find(type.GetAttributes(), symbols.McpServerToolType) is not null)
            {
                why = "its class '" + type.Name + "' is an [McpServerToolType]";
            }
            else if (hasAuditedTools.GetOrAdd(type, t => HasAuditedTools(t, symbols)))
            {
                why = "its class '" + type.Name + "' has audited tools";
            }
            else
            {
                return;
            }
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptors.ToolNotAudited, method.Locations.FirstOrDefault(), type.Name + "." + method.Name, why));
    }

    private static bool HasAuditedTools(INamedTypeSymbol type, KnownSymbols symbols)
    {
        foreach (ISymbol member in type.GetMembers())
        {
            if (member is IMethodSymbol && symbols.HasAuditedTool(member))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>[NotAudited] on the type or an outer type exempts all its methods.</summary>
    private static bool IsExempted(INamedTypeSymbol type, KnownSymbols symbols)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (KnownSymbols.Find(current.GetAttributes(), symbols.NotAudited) is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDisposal(IMethodSymbol method, KnownSymbols symbols)
        => method.Parameters.IsEmpty
           && ((method.Name == "Dispose" && method.ContainingType.AllInterfaces.Contains(symbols.IDisposable, SymbolEqualityComparer.Default))
               || (method.Name == "DisposeAsync" && symbols.IAsyncDisposable is not null && method.ContainingType.AllInterfaces.Contains(symbols.IAsyncDisposable, SymbolEqualityComparer.Default)));

    private static string ShortName(INamedTypeSymbol attribute)
        => attribute.Name.EndsWith("Attribute", System.StringComparison.Ordinal) ? attribute.Name.Substring(0, attribute.Name.Length - "Attribute".Length) : attribute.Name;
}
