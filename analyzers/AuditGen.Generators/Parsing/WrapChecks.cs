using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using AuditGen.Generators.Model;

namespace AuditGen.Generators.Parsing;

/// <summary>Why a tool method (or its containing type) cannot be wrapped; each reason is an AUDIT003.</summary>
internal static class WrapChecks
{
    public const string AuditedToolAttributeName = "AuditGen.AuditedToolAttribute";

    /// <summary>Why no wrapper can be emitted for <paramref name="type"/> at all, or null.</summary>
    public static string? TypeReason(INamedTypeSymbol type) => TypeReason(type, out _);

    /// <summary>
    /// Why no wrapper can be emitted for <paramref name="type"/> at all, or null; <paramref name="notPartial"/> says the
    /// reason is a missing <c>partial</c> (on the type or an outer type), which adding the modifier fixes.
    /// </summary>
    public static string? TypeReason(INamedTypeSymbol type, out bool notPartial)
    {
        notPartial = false;
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return "its containing type '" + type.Name + "' is not a class, struct or record";
        }

        if (type.DeclaredAccessibility == Accessibility.Private)
        {
            return "its containing type '" + type.Name + "' is private, so the generated wrapper cannot reach it";
        }

        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsFileLocal)
            {
                return "type '" + current.Name + "' is file-local, so the generated wrapper cannot reach it";
            }

            if (!IsPartial(current))
            {
                notPartial = true;
                return current.Equals(type, SymbolEqualityComparer.Default)
                    ? "its containing type '" + current.Name + "' is not partial"
                    : "the outer type '" + current.Name + "' of its containing type is not partial";
            }
        }

        return null;
    }

    /// <summary>Whether some declaration of <paramref name="type"/> carries the <c>partial</c> modifier.</summary>
    public static bool IsPartial(INamedTypeSymbol type)
        => type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax declaration
            && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    /// <summary>Method-level reasons, each with the location it is reported at.</summary>
    public static List<(string Reason, LocationInfo? Location)> MethodReasons(IMethodSymbol method, CancellationToken cancellationToken)
    {
        var reasons = new List<(string, LocationInfo?)>();
        LocationInfo? methodLocation = LocationInfo.From(method.Locations.FirstOrDefault());

        if (method.MethodKind != MethodKind.Ordinary)
        {
            reasons.Add(("it is not an ordinary method (explicit interface implementations, operators and accessors cannot be wrapped)", methodLocation));
            return reasons;
        }

        if (method.IsStatic)
        {
            reasons.Add(("it is static; the wrapper decorates an instance", methodLocation));
        }

        if (method.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
        {
            reasons.Add(("it is " + Formatting.AccessibilityKeyword(method.DeclaredAccessibility) + ", so the generated wrapper cannot call it", methodLocation));
        }

        if (method.IsVararg)
        {
            reasons.Add(("it uses __arglist", methodLocation));
        }

        foreach (IParameterSymbol parameter in method.Parameters)
        {
            LocationInfo? location = LocationInfo.From(parameter.Locations.FirstOrDefault()) ?? methodLocation;
            if (parameter.RefKind != RefKind.None)
            {
                string kind = parameter.RefKind switch
                {
                    RefKind.Out => "out",
                    RefKind.In => "in",
                    RefKind.RefReadOnlyParameter => "ref readonly",
                    _ => "ref",
                };
                reasons.Add(("parameter '" + parameter.Name + "' is passed by '" + kind + "'", location));
            }

            if (IsPointerLike(parameter.Type))
            {
                reasons.Add(("parameter '" + parameter.Name + "' has pointer type '" + parameter.Type.ToDisplayString() + "'", location));
            }
            else if (parameter.Type.IsRefLikeType)
            {
                reasons.Add(("parameter '" + parameter.Name + "' has ref struct type '" + parameter.Type.ToDisplayString() + "'", location));
            }
        }

        LocationInfo? returnLocation = ReturnTypeLocation(method, cancellationToken) ?? methodLocation;
        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            reasons.Add(("it returns by reference", returnLocation));
        }

        if (IsPointerLike(method.ReturnType))
        {
            reasons.Add(("it returns pointer type '" + method.ReturnType.ToDisplayString() + "'", returnLocation));
        }
        else if (method.ReturnType.IsRefLikeType)
        {
            reasons.Add(("it returns ref struct type '" + method.ReturnType.ToDisplayString() + "'", returnLocation));
        }

        return reasons;
    }

    /// <summary>Whether the compiler could not bind some type of the signature (broken code: the compiler reports it).</summary>
    public static bool HasErrorTypes(IMethodSymbol method)
        => IsError(method.ReturnType) || method.Parameters.Any(p => IsError(p.Type));

    /// <summary>Whether <paramref name="method"/> carries [AuditedTool] and can be wrapped.</summary>
    public static bool IsWrappableTool(IMethodSymbol method, CancellationToken cancellationToken)
        => method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AuditedToolAttributeName)
           && MethodReasons(method, cancellationToken).Count == 0
           && !HasErrorTypes(method);

    private static bool IsError(ITypeSymbol type) => type switch
    {
        IErrorTypeSymbol => true,
        IArrayTypeSymbol array => IsError(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(IsError),
        _ => false,
    };

    private static bool IsPointerLike(ITypeSymbol type) => type switch
    {
        IPointerTypeSymbol or IFunctionPointerTypeSymbol => true,
        IArrayTypeSymbol array => IsPointerLike(array.ElementType),
        _ => false,
    };

    private static LocationInfo? ReturnTypeLocation(IMethodSymbol method, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is MethodDeclarationSyntax declaration)
            {
                return LocationInfo.From(declaration.ReturnType);
            }
        }

        return null;
    }
}
