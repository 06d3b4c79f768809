using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AuditGen.CodeFixes;

/// <summary>
/// AUDIT002: classify the parameter or property as Restricted, redacted by HMAC pseudonym (correlatable, not recoverable);
/// or (second action) as Restricted and sealed (kept in full, encrypted under the data subject's key, erasable on request).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ClassifyPersonalDataCodeFix)), Shared]
public sealed class ClassifyPersonalDataCodeFix : CodeFixProvider
{
    /// <summary>Equivalence key of the action.</summary>
    public const string Key = "AUDIT002.Classify";

    /// <summary>Equivalence key of the sealing action.</summary>
    public const string SealKey = "AUDIT002.Seal";

    private static readonly DocumentFix s_fix = Classify("Hmac");

    private static readonly DocumentFix s_seal = Classify("Seal");

    private static DocumentFix Classify(string strategy) => (editor, root, diagnostic, _) =>
    {
        if (Target(root, diagnostic) is { } target)
        {
            FixSupport.AddAttributes(
                editor,
                target,
                FixSupport.Attribute("DataClassification", "global::AuditGen.DataClass.Restricted"),
                FixSupport.Attribute("Redact", "global::AuditGen.RedactionStrategy." + strategy));
        }
    };

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("AUDIT002");

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider()
        => FixSupport.FixAll(ImmutableDictionary<string, DocumentFix>.Empty.Add(Key, s_fix).Add(SealKey, s_seal));

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root is not null && Target(root, diagnostic) is not null)
            {
                context.RegisterCodeFix(
                    FixSupport.Action("Classify as Restricted, redacted by HMAC", Key, context.Document, diagnostic, s_fix),
                    diagnostic);
                context.RegisterCodeFix(
                    FixSupport.Action("Classify as Restricted, sealed (kept encrypted, erasable per data subject)", SealKey, context.Document, diagnostic, s_seal),
                    diagnostic);
            }
        }
    }

    /// <summary>The parameter (a tool's, or a positional record's) or the property declaration the diagnostic is on.</summary>
    private static SyntaxNode? Target(SyntaxNode root, Diagnostic diagnostic)
        => (SyntaxNode?)FixSupport.NodeAt<ParameterSyntax>(root, diagnostic) ?? FixSupport.NodeAt<PropertyDeclarationSyntax>(root, diagnostic);
}
