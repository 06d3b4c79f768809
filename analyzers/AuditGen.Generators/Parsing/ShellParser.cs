using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using AuditGen.Generators.Model;

namespace AuditGen.Generators.Parsing;

/// <summary>Builds the type-level part of a wrapper (placement, name, type parameters, interfaces) from a tool type.</summary>
internal static class ShellParser
{
    public static WrapperShell Parse(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        string? ns = type.ContainingNamespace is { IsGlobalNamespace: false } containingNamespace
            ? containingNamespace.ToDisplayString()
            : null;

        var outerTypes = new List<OuterTypeSpec>();
        var hintParts = new List<string>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            outerTypes.Insert(0, new OuterTypeSpec(Formatting.TypeKeyword(outer), Formatting.Identifier(outer.Name), Formatting.TypeParameterList(outer.TypeParameters)));
            hintParts.Insert(0, outer.MetadataName);
        }

        if (ns is not null)
        {
            hintParts.Insert(0, ns);
        }

        hintParts.Add(type.MetadataName);
        string hintName = string.Join(".", hintParts).Replace('`', '_') + ".Audited.g.cs";

        ISymbol within = (ISymbol?)type.ContainingType ?? compilation.Assembly;
        var interfaces = new List<string>();
        var members = new List<InterfaceMemberSpec>();
        var skipped = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);

        foreach (INamedTypeSymbol iface in type.AllInterfaces)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool implementable = compilation.IsSymbolAccessibleWithin(iface, within)
                && !iface.GetMembers().Any(m => m.IsStatic && (m.IsAbstract || m.IsVirtual))
                && !iface.AllInterfaces.Any(skipped.Contains)
                && !(iface.TypeArguments.Any(t => t is IErrorTypeSymbol));
            if (!implementable)
            {
                skipped.Add(iface);
                continue;
            }

            interfaces.Add(Formatting.Code(iface));
            foreach (ISymbol member in iface.GetMembers())
            {
                if (member.IsStatic || !member.IsAbstract)
                {
                    continue;
                }

                InterfaceMemberSpec? spec = member switch
                {
                    IMethodSymbol { MethodKind: MethodKind.Ordinary } method => Method(type, iface, method, cancellationToken),
                    IPropertySymbol property => Property(iface, property),
                    IEventSymbol @event => new InterfaceMemberSpec(
                        InterfaceMemberKind.Event, Formatting.Code(iface), Formatting.Identifier(@event.Name), Formatting.Code(@event.Type),
                        string.Empty, false, string.Empty, EquatableArray<SignatureParameter>.Empty, false, false, false, false),
                    _ => null,
                };

                if (spec is not null)
                {
                    members.Add(spec);
                }
            }
        }

        return new WrapperShell(
            ns,
            outerTypes.ToEquatableArray(),
            "Audited" + type.Name,
            Formatting.TypeParameterList(type.TypeParameters),
            Formatting.ConstraintClauses(type.TypeParameters),
            Formatting.Code(type),
            Formatting.AccessibilityKeyword(type.DeclaredAccessibility),
            type.IsValueType,
            hintName,
            interfaces.ToEquatableArray(),
            members.ToEquatableArray(),
            IsRegistrable(type));
    }

    /// <summary>Whether an assembly-level helper can name the tool type and its wrapper: a non-generic class reachable from the namespace.</summary>
    private static bool IsRegistrable(INamedTypeSymbol type)
    {
        if (type.IsValueType)
        {
            return false;
        }

        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.IsGenericType || t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }

        return true;
    }

    private static InterfaceMemberSpec Method(INamedTypeSymbol type, INamedTypeSymbol iface, IMethodSymbol method, CancellationToken cancellationToken)
    {
        bool route = type.FindImplementationForInterfaceMember(method) is IMethodSymbol implementation
            && implementation.ContainingType.OriginalDefinition.Equals(type.OriginalDefinition, SymbolEqualityComparer.Default)
            && WrapChecks.IsWrappableTool(implementation, cancellationToken);

        return new InterfaceMemberSpec(
            InterfaceMemberKind.Method,
            Formatting.Code(iface),
            Formatting.Identifier(method.Name),
            method.ReturnsVoid ? "void" : Formatting.Code(method.ReturnType),
            RefPrefix(method.RefKind),
            method.ReturnsVoid,
            Formatting.TypeParameterList(method.TypeParameters),
            Parameters(method.Parameters),
            false,
            false,
            false,
            route);
    }

    private static InterfaceMemberSpec Property(INamedTypeSymbol iface, IPropertySymbol property)
        => new(
            property.IsIndexer ? InterfaceMemberKind.Indexer : InterfaceMemberKind.Property,
            Formatting.Code(iface),
            Formatting.Identifier(property.Name),
            Formatting.Code(property.Type),
            RefPrefix(property.RefKind),
            false,
            string.Empty,
            Parameters(property.Parameters),
            property.GetMethod is not null,
            property.SetMethod is { IsInitOnly: false },
            property.SetMethod is { IsInitOnly: true },
            false);

    private static EquatableArray<SignatureParameter> Parameters(IEnumerable<IParameterSymbol> parameters)
        => parameters.Select(p => new SignatureParameter(
                p.RefKind switch
                {
                    RefKind.Ref => "ref ",
                    RefKind.Out => "out ",
                    RefKind.In => "in ",
                    RefKind.RefReadOnlyParameter => "ref readonly ",
                    _ => string.Empty,
                },
                Formatting.Code(p.Type),
                Formatting.Identifier(p.Name)))
            .ToEquatableArray();

    private static string RefPrefix(RefKind refKind) => refKind switch
    {
        RefKind.Ref => "ref ",
        RefKind.RefReadOnly => "ref readonly ",
        _ => string.Empty,
    };
}
