using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace AuditGen.CodeFixes;

/// <summary>AUDIT001: add <c>[AuditedTool]</c>, or (second action) <c>[NotAudited("")]</c> whose empty justification AUDIT007 keeps asking for.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AuditToolCodeFix)), Shared]
public sealed class AuditToolCodeFix : CodeFixProvider
{
    /// <summary>Equivalence key of the [AuditedTool] action.</summary>
    public const string AuditKey = "AUDIT001.AuditedTool";

    /// <summary>Equivalence key of the [NotAudited] action.</summary>
    public const string ExemptKey = "AUDIT001.NotAudited";

    private static readonly DocumentFix s_audit = (editor, root, diagnostic, _) => Add(editor, root, diagnostic, FixSupport.Attribute("AuditedTool"));

    // The justification is left empty on purpose: AUDIT007 keeps the exemption visible until someone writes why.
    private static readonly DocumentFix s_exempt = (editor, root, diagnostic, _) => Add(editor, root, diagnostic, FixSupport.Attribute("NotAudited", "\"\""));

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("AUDIT001");

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider()
        => FixSupport.FixAll(ImmutableDictionary<string, DocumentFix>.Empty.Add(AuditKey, s_audit).Add(ExemptKey, s_exempt));

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root is null || FixSupport.NodeAt<MethodDeclarationSyntax>(root, diagnostic) is not { } method)
            {
                continue;
            }

            // A static tool cannot be wrapped (AUDIT003), so only the exemption is offered for it.
            if (!method.Modifiers.Any(SyntaxKind.StaticKeyword))
            {
                context.RegisterCodeFix(FixSupport.Action("Audit this tool with [AuditedTool]", AuditKey, context.Document, diagnostic, s_audit), diagnostic);
            }

            context.RegisterCodeFix(FixSupport.Action("Exempt this tool with [NotAudited(\"why\")]", ExemptKey, context.Document, diagnostic, s_exempt), diagnostic);
        }
    }

    private static void Add(DocumentEditor editor, SyntaxNode root, Diagnostic diagnostic, AttributeSyntax attribute)
    {
        if (FixSupport.NodeAt<MethodDeclarationSyntax>(root, diagnostic) is { } method)
        {
            FixSupport.AddAttributes(editor, method, attribute);
        }
    }
}
