using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace AuditGen.CodeFixes;

/// <summary>Edits one document for a set of diagnostics: the single fix and fix-all share it.</summary>
internal delegate void DocumentFix(DocumentEditor editor, SyntaxNode root, Diagnostic diagnostic, CancellationToken cancellationToken);

/// <summary>Helpers shared by the fixes: AuditGen names that simplify to <c>using AuditGen;</c>, and one-pass document edits.</summary>
internal static class FixSupport
{
    /// <summary>A <c>global::AuditGen.X</c> name annotated so that cleanup adds <c>using AuditGen;</c> and shortens it.</summary>
    public static NameSyntax AuditGenName(string name)
        => SyntaxFactory.ParseName("global::AuditGen." + name).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    /// <summary>An attribute <c>[Name(argument)]</c> of AuditGen; the argument is an expression written with <c>global::</c> names.</summary>
    public static AttributeSyntax Attribute(string name, string? argument = null)
    {
        AttributeSyntax attribute = SyntaxFactory.Attribute(AuditGenName(name));
        if (argument is null)
        {
            return attribute;
        }

        ExpressionSyntax expression = SyntaxFactory.ParseExpression(argument).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);
        return attribute.WithArgumentList(SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.AttributeArgument(expression))));
    }

    /// <summary>Applies <paramref name="fix"/> for every diagnostic in one editor, then adds imports, simplifies and formats.</summary>
    public static async Task<Document> ApplyAsync(Document document, IEnumerable<Diagnostic> diagnostics, DocumentFix fix, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        SyntaxNode root = editor.OriginalRoot;
        foreach (Diagnostic diagnostic in diagnostics)
        {
            fix(editor, root, diagnostic, cancellationToken);
        }

        Document changed = editor.GetChangedDocument();
        changed = await ImportAdder.AddImportsAsync(changed, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        changed = await Simplifier.ReduceAsync(changed, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(changed, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A code action that applies <paramref name="fix"/> for one diagnostic.</summary>
    public static CodeAction Action(string title, string equivalenceKey, Document document, Diagnostic diagnostic, DocumentFix fix)
        => CodeAction.Create(title, ct => ApplyAsync(document, new[] { diagnostic }, fix, ct), equivalenceKey);

    /// <summary>Fix-all in a document, project or solution: every diagnostic of a document fixed in one pass.</summary>
    public static FixAllProvider FixAll(DocumentFix fix)
        => FixAllProvider.Create(async (context, document, diagnostics) =>
            diagnostics.IsEmpty ? document : await ApplyAsync(document, diagnostics, fix, context.CancellationToken).ConfigureAwait(false));

    /// <summary>Fix-all for the action with <c>context.CodeActionEquivalenceKey</c> among several.</summary>
    public static FixAllProvider FixAll(ImmutableDictionary<string, DocumentFix> fixesByKey)
        => FixAllProvider.Create(async (context, document, diagnostics) =>
            diagnostics.IsEmpty || context.CodeActionEquivalenceKey is not { } key || !fixesByKey.TryGetValue(key, out DocumentFix? fix)
                ? document
                : await ApplyAsync(document, diagnostics, fix, context.CancellationToken).ConfigureAwait(false));

    /// <summary>The node of <paramref name="type"/> at or around the diagnostic's span, or null.</summary>
    public static T? NodeAt<T>(SyntaxNode root, Diagnostic diagnostic)
        where T : SyntaxNode
        => root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<T>();

    /// <summary>Adds an attribute list holding <paramref name="attributes"/> to a declaration.</summary>
    public static void AddAttributes(DocumentEditor editor, SyntaxNode declaration, params AttributeSyntax[] attributes)
    {
        AttributeListSyntax list = SyntaxFactory.AttributeList(SyntaxFactory.SeparatedList(attributes)).WithAdditionalAnnotations(Formatter.Annotation);
        editor.ReplaceNode(declaration, (current, _) => current switch
        {
            ParameterSyntax parameter => parameter.AddAttributeLists(list.WithTrailingTrivia(SyntaxFactory.Space)),
            MemberDeclarationSyntax member => AddToMember(member, list),
            _ => current,
        });
    }

    private static SyntaxNode AddToMember(MemberDeclarationSyntax member, AttributeListSyntax list)
    {
        // The new list takes the member's leading trivia (indentation, doc comment), so it lands above the member.
        SyntaxTriviaList leading = member.GetLeadingTrivia();
        MemberDeclarationSyntax bare = member.WithoutLeadingTrivia();
        SyntaxTriviaList indentation = SyntaxFactory.TriviaList(leading.Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse());
        MemberDeclarationSyntax withList = bare.WithAttributeLists(bare.AttributeLists.Insert(0, list.WithLeadingTrivia(leading).WithTrailingTrivia(NewLine(member))));
        if (withList.AttributeLists.Count > 1)
        {
            withList = withList.ReplaceNode(withList.AttributeLists[1], withList.AttributeLists[1].WithLeadingTrivia(indentation));
        }
        else
        {
            withList = withList.WithModifiers(ReindentFirst(withList.Modifiers, indentation));
        }

        return withList;
    }

    /// <summary>The line ending the document already uses.</summary>
    private static SyntaxTrivia NewLine(SyntaxNode node)
    {
        foreach (SyntaxTrivia trivia in node.SyntaxTree?.GetRoot().DescendantTrivia() ?? node.DescendantTrivia())
        {
            if (trivia.IsKind(SyntaxKind.EndOfLineTrivia))
            {
                return trivia;
            }
        }

        return SyntaxFactory.LineFeed;
    }

    private static SyntaxTokenList ReindentFirst(SyntaxTokenList modifiers, SyntaxTriviaList indentation)
        => modifiers.Count == 0 ? modifiers : modifiers.Replace(modifiers[0], modifiers[0].WithLeadingTrivia(indentation));
}
