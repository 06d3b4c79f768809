using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AuditGen.Generators.Analyzers;

/// <summary>Shared symbol helpers: argument types whose properties are recorded, and where attribute arguments are written.</summary>
internal static class ArgumentTypes
{
    /// <summary>A class, struct or record declared in source that is not a collection: its properties are recorded one by one.</summary>
    public static INamedTypeSymbol? InSource(ITypeSymbol type)
    {
        ITypeSymbol element = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;
        return element is INamedTypeSymbol { SpecialType: SpecialType.None, TypeKind: TypeKind.Class or TypeKind.Struct, IsRefLikeType: false } named
               && named.Locations.Any(l => l.IsInSource)
               && !named.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable)
            ? named
            : null;
    }

    /// <summary>Whether <paramref name="member"/> is a public readable instance property: what the wrapper records of an argument.</summary>
    public static bool IsRecordedProperty(ISymbol member, out IPropertySymbol property)
    {
        property = (member as IPropertySymbol)!;
        return member is IPropertySymbol { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, IsImplicitlyDeclared: false } candidate
               && candidate.GetMethod is { DeclaredAccessibility: Accessibility.Public };
    }

    /// <summary>A positional record property's attributes written without <c>property:</c> land on the constructor parameter.</summary>
    public static ImmutableArray<AttributeData> PositionalParameterAttributes(INamedTypeSymbol type, IPropertySymbol property)
    {
        if (!type.IsRecord || property.DeclaringSyntaxReferences.FirstOrDefault() is not { } propertySyntax)
        {
            return ImmutableArray<AttributeData>.Empty;
        }

        foreach (IMethodSymbol constructor in type.InstanceConstructors)
        {
            foreach (IParameterSymbol parameter in constructor.Parameters)
            {
                if (parameter.DeclaringSyntaxReferences.FirstOrDefault() is { } parameterSyntax
                    && parameterSyntax.SyntaxTree == propertySyntax.SyntaxTree
                    && parameterSyntax.Span == propertySyntax.Span)
                {
                    return parameter.GetAttributes();
                }
            }
        }

        return ImmutableArray<AttributeData>.Empty;
    }

    /// <summary>Where the positional argument <paramref name="position"/> or the named argument <paramref name="name"/> is written; else the attribute.</summary>
    public static Location? ArgumentLocation(AttributeData attribute, int? position, string? name, System.Threading.CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
        {
            return null;
        }

        if (syntax.ArgumentList is { } list)
        {
            int index = 0;
            foreach (AttributeArgumentSyntax argument in list.Arguments)
            {
                if (name is not null && argument.NameEquals?.Name.Identifier.ValueText == name)
                {
                    return argument.Expression.GetLocation();
                }

                if (argument.NameEquals is null && argument.NameColon is null)
                {
                    if (position == index)
                    {
                        return argument.Expression.GetLocation();
                    }

                    index++;
                }
            }
        }

        return syntax.GetLocation();
    }
}
