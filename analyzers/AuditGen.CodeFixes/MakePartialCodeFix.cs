using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using AuditGen.Generators.Analyzers;

namespace AuditGen.CodeFixes;

/// <summary>AUDIT003 when the reason is a missing <c>partial</c>: make the containing type, and its outer types, partial.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix)), Shared]
public sealed class MakePartialCodeFix : CodeFixProvider
{
    /// <summary>Equivalence key of the action.</summary>
    public const string Key = "AUDIT003.MakePartial";

    private static readonly DocumentFix s_fix = (editor, root, diagnostic, _) =>
    {
        if (!IsFixable(diagnostic))
        {
            return;
        }

        for (TypeDeclarationSyntax? type = FixSupport.NodeAt<TypeDeclarationSyntax>(root, diagnostic); type is not null; type = type.Parent?.FirstAncestorOrSelf<TypeDeclarationSyntax>())
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                // Several tools of one type share this edit: the callback sees earlier edits and adds the modifier once.
                editor.ReplaceNode(type, (current, _) => current is TypeDeclarationSyntax declaration ? AddPartial(declaration) : current);
            }
        }
    };

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("AUDIT003");

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => FixSupport.FixAll(s_fix);

    /// <inheritdoc />
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (IsFixable(diagnostic))
            {
                context.RegisterCodeFix(FixSupport.Action("Make the containing type partial", Key, context.Document, diagnostic, s_fix), diagnostic);
            }
        }

        return Task.CompletedTask;
    }

    private static bool IsFixable(Diagnostic diagnostic)
        => diagnostic.Properties.TryGetValue(ToolShapeAnalyzer.ReasonProperty, out string? reason) && reason == ToolShapeAnalyzer.NotPartial;

    private static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax declaration)
    {
        if (declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return declaration;
        }

        // 'partial' goes right before the type keyword; with no modifiers it takes over the keyword's leading trivia.
        if (declaration.Modifiers.Count == 0)
        {
            SyntaxToken keyword = declaration.Keyword;
            SyntaxToken partial = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
            return declaration.ReplaceToken(keyword, keyword.WithLeadingTrivia()).WithModifiers(SyntaxFactory.TokenList(partial));
        }

        return declaration.AddModifiers(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space));
    }
}
