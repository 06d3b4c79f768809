using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using AuditGen.Generators.Model;

namespace AuditGen.Generators.Parsing;

/// <summary>Turns symbols and constants into C# text. Invariant culture throughout.</summary>
internal static class Formatting
{
    /// <summary><c>global::</c>-qualified, with nullable annotations: for generated code.</summary>
    public static readonly SymbolDisplayFormat CodeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>Fully qualified without <c>global::</c>: for the manifest's type names.</summary>
    public static readonly SymbolDisplayFormat ManifestFormat = CodeFormat
        .WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

    public static string Code(ITypeSymbol type) => type.ToDisplayString(CodeFormat);

    public static string Manifest(ITypeSymbol type) => type.ToDisplayString(ManifestFormat);

    /// <summary>A string literal (or <c>null</c>) with C# escapes.</summary>
    public static string StringLiteral(string? value) => value is null ? "null" : SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>An identifier, escaped with <c>@</c> when it is a keyword.</summary>
    public static string Identifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary><c>LookupPatientAsync</c> → <c>lookup_patient</c>; acronyms stay together (<c>GetHTTPStatus</c> → <c>get_http_status</c>).</summary>
    public static string ToolNameFromMethod(string methodName)
    {
        string name = methodName;
        if (name.Length > "Async".Length && name.EndsWith("Async", StringComparison.Ordinal))
        {
            name = name.Substring(0, name.Length - "Async".Length);
        }

        var builder = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool previousIsLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                bool acronymEnds = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
                if ((previousIsLowerOrDigit || acronymEnds) && builder.Length > 0 && builder[builder.Length - 1] != '_')
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary><c>&lt;T, U&gt;</c> or empty.</summary>
    public static string TypeParameterList(IEnumerable<ITypeParameterSymbol> typeParameters)
    {
        string[] names = typeParameters.Select(p => Identifier(p.Name)).ToArray();
        return names.Length == 0 ? string.Empty : "<" + string.Join(", ", names) + ">";
    }

    /// <summary>One <c>where</c> clause per constrained type parameter.</summary>
    public static EquatableArray<string> ConstraintClauses(IEnumerable<ITypeParameterSymbol> typeParameters)
    {
        var clauses = new List<string>();
        foreach (ITypeParameterSymbol p in typeParameters)
        {
            var parts = new List<string>();
            if (p.HasReferenceTypeConstraint)
            {
                parts.Add(p.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
            }
            else if (p.HasUnmanagedTypeConstraint)
            {
                parts.Add("unmanaged");
            }
            else if (p.HasValueTypeConstraint)
            {
                parts.Add("struct");
            }
            else if (p.HasNotNullConstraint)
            {
                parts.Add("notnull");
            }

            foreach (ITypeSymbol constraint in p.ConstraintTypes)
            {
                parts.Add(Code(constraint));
            }

            if (p.HasConstructorConstraint && !p.HasValueTypeConstraint)
            {
                parts.Add("new()");
            }

            if (p.AllowsRefLikeType)
            {
                parts.Add("allows ref struct");
            }

            if (parts.Count > 0)
            {
                clauses.Add("where " + Identifier(p.Name) + " : " + string.Join(", ", parts));
            }
        }

        return clauses.ToEquatableArray();
    }

    public static string AccessibilityKeyword(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        Accessibility.Private => "private",
        _ => "internal",
    };

    public static string TypeKeyword(INamedTypeSymbol type)
    {
        if (type.IsRecord)
        {
            return type.TypeKind == TypeKind.Struct ? "record struct" : "record";
        }

        return type.TypeKind switch
        {
            TypeKind.Struct => "struct",
            TypeKind.Interface => "interface",
            _ => "class",
        };
    }

    /// <summary>Converts an enum or integral constant to <see cref="long"/> (unsigned values keep their bits).</summary>
    public static bool TryToInt64(object? value, out long result)
    {
        switch (value)
        {
            case ulong u:
                result = unchecked((long)u);
                return true;
            case sbyte or byte or short or ushort or int or uint or long:
                result = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return true;
            default:
                result = 0;
                return false;
        }
    }

    /// <summary>
    /// Spells <paramref name="value"/> of <paramref name="enumType"/>: a member, flags joined with <c>|</c>, or a cast
    /// when the value is not defined (then <paramref name="defined"/> is false).
    /// </summary>
    public static string EnumExpression(INamedTypeSymbol enumType, long value, out bool defined)
    {
        string typeName = Code(enumType);
        var members = enumType.GetMembers()
            .OfType<IFieldSymbol>()
            .Where(f => f.HasConstantValue && TryToInt64(f.ConstantValue, out _))
            .Select(f => (Name: f.Name, Value: TryToInt64(f.ConstantValue, out long v) ? v : 0))
            .ToList();

        foreach (var member in members)
        {
            if (member.Value == value)
            {
                defined = true;
                return typeName + "." + Identifier(member.Name);
            }
        }

        bool isFlags = enumType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.FlagsAttribute");
        if (isFlags && value > 0)
        {
            long remaining = value;
            var parts = new List<(string Name, long Value)>();
            foreach (var member in members.Where(m => m.Value > 0).OrderByDescending(m => m.Value))
            {
                if ((remaining & member.Value) == member.Value)
                {
                    parts.Add(member);
                    remaining &= ~member.Value;
                }
            }

            if (remaining == 0 && parts.Count > 0)
            {
                defined = true;
                return string.Join(" | ", parts.OrderBy(p => p.Value).Select(p => typeName + "." + Identifier(p.Name)));
            }
        }

        defined = false;
        string number = value.ToString(CultureInfo.InvariantCulture);
        return "(" + typeName + ")" + (value < 0 ? "(" + number + ")" : number);
    }

    /// <summary>The default value of an optional parameter as C# source.</summary>
    public static string DefaultValue(IParameterSymbol parameter)
    {
        ITypeSymbol type = parameter.Type;
        object? value = parameter.ExplicitDefaultValue;
        bool isNullableValueType = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };
        ITypeSymbol underlying = isNullableValueType ? ((INamedTypeSymbol)type).TypeArguments[0] : type;

        if (value is null)
        {
            return type.IsValueType && !isNullableValueType ? "default" : "null";
        }

        if (underlying is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType && TryToInt64(value, out long enumValue))
        {
            return EnumExpression(enumType, enumValue, out _);
        }

        return value switch
        {
            string s => SymbolDisplay.FormatLiteral(s, quote: true),
            char c => SymbolDisplay.FormatLiteral(c, quote: true),
            bool b => b ? "true" : "false",
            float f => FloatLiteral(f),
            double d => DoubleLiteral(d),
            decimal m => m.ToString(CultureInfo.InvariantCulture) + "M",
            long l => l.ToString(CultureInfo.InvariantCulture) + "L",
            ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "UL",
            uint ui => ui.ToString(CultureInfo.InvariantCulture) + "U",
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => "default",
        };
    }

    private static string FloatLiteral(float value)
    {
        if (float.IsNaN(value))
        {
            return "float.NaN";
        }

        if (float.IsPositiveInfinity(value))
        {
            return "float.PositiveInfinity";
        }

        if (float.IsNegativeInfinity(value))
        {
            return "float.NegativeInfinity";
        }

        return value.ToString("R", CultureInfo.InvariantCulture) + "F";
    }

    private static string DoubleLiteral(double value)
    {
        if (double.IsNaN(value))
        {
            return "double.NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "double.PositiveInfinity";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "double.NegativeInfinity";
        }

        return value.ToString("R", CultureInfo.InvariantCulture) + "D";
    }
}
