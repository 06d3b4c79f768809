using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AuditGen.CodeFixes;

/// <summary>AUDIT004: wrap the classified value in <c>LogRedaction.Erase(...)</c> before it reaches the log.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RedactLoggedValueCodeFix)), Shared]
public sealed class RedactLoggedValueCodeFix : CodeFixProvider
{
    /// <summary>Equivalence key of the action.</summary>
    public const string Key = "AUDIT004.Redact";

    private static readonly DocumentFix s_fix = (editor, root, diagnostic, _) =>
    {
        if (Target(root, diagnostic) is { } expression)
        {
            editor.ReplaceNode(expression, (current, _) => Wrap((ExpressionSyntax)current));
        }
    };

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("AUDIT004");

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => FixSupport.FixAll(s_fix);

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root is not null && Target(root, diagnostic) is not null)
            {
                context.RegisterCodeFix(FixSupport.Action("Redact the value with LogRedaction.Erase", Key, context.Document, diagnostic, s_fix), diagnostic);
            }
        }
    }

    private static ExpressionSyntax? Target(SyntaxNode root, Diagnostic diagnostic)
        => root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is ExpressionSyntax expression && expression.Span == diagnostic.Location.SourceSpan
            ? expression
            : null;

    private static ExpressionSyntax Wrap(ExpressionSyntax value)
        => SyntaxFactory.InvocationExpression(
                SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, FixSupport.AuditGenName("LogRedaction"), SyntaxFactory.IdentifierName("Erase")),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(value.WithoutTrivia()))))
            .WithTriviaFrom(value)
            .WithAdditionalAnnotations(Formatter.Annotation);
}
