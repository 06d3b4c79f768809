using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using AuditGen.Generators.Diagnostics;
using AuditGen.Generators.Model;
using AuditGen.Generators.Parsing;

namespace AuditGen.Generators.Analyzers;

/// <summary>
/// AUDIT003: an [AuditedTool] the generator cannot wrap, saying why. The reasons come from <see cref="WrapChecks"/>,
/// the same checks the generator uses to refuse a tool, so the two cannot disagree.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ToolShapeAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: <c>NotPartial</c> when adding <c>partial</c> to the containing types fixes it.</summary>
    public const string ReasonProperty = "Reason";

    /// <summary>Value of <see cref="ReasonProperty"/> for a missing <c>partial</c>.</summary>
    public const string NotPartial = "NotPartial";

    private static readonly ImmutableDictionary<string, string?> s_notPartial = ImmutableDictionary<string, string?>.Empty.Add(ReasonProperty, NotPartial);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ToolCannotBeWrapped);

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
        if (!IsGeneratorInput(method, symbols) || method.ContainingType is not { } type || WrapChecks.HasErrorTypes(method))
        {
            return;
        }

        string display = type.Name + "." + method.Name;
        Location? methodLocation = method.Locations.FirstOrDefault();
        string? typeReason = WrapChecks.TypeReason(type, out bool notPartial);
        if (typeReason is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ToolCannotBeWrapped, methodLocation, notPartial ? s_notPartial : null, display, typeReason));
        }

        foreach ((string reason, LocationInfo? location) in WrapChecks.MethodReasons(method, context.CancellationToken))
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ToolCannotBeWrapped, ToLocation(location, method) ?? methodLocation, display, reason));
        }
    }

    /// <summary>Exactly what the generator parses: an [AuditedTool] on a method declaration.</summary>
    internal static bool IsGeneratorInput(IMethodSymbol method, KnownSymbols symbols)
    {
        if (!symbols.HasAuditedTool(method))
        {
            return false;
        }

        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is MethodDeclarationSyntax)
            {
                return true;
            }
        }

        return false;
    }

    private static Location? ToLocation(LocationInfo? info, IMethodSymbol method)
    {
        if (info is null)
        {
            return null;
        }

        foreach (Location location in method.Locations)
        {
            if (location.SourceTree is { } tree && tree.FilePath == info.FilePath && info.Span.End <= tree.Length)
            {
                return Location.Create(tree, info.Span);
            }
        }

        return null;
    }
}
