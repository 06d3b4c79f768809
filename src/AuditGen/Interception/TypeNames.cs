using System.Reflection;
using System.Text;

namespace AuditGen;

/// <summary>C# spellings of runtime types for descriptors, in the generator's manifest form (<c>string?</c>, <c>Clinic.Visit</c>, <c>System.Collections.Generic.List&lt;int&gt;</c>).</summary>
internal static class TypeNames
{
    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(char)] = "char",
        [typeof(short)] = "short", [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint",
        [typeof(long)] = "long", [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double",
        [typeof(decimal)] = "decimal", [typeof(string)] = "string", [typeof(object)] = "object", [typeof(void)] = "void",
    };

    public static string Of(Type type, NullabilityInfo? nullability = null)
    {
        var builder = new StringBuilder();
        Append(builder, type, nullability);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, Type type, NullabilityInfo? nullability)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            Append(builder, underlying, null);
            builder.Append('?');
            return;
        }

        if (type.IsArray)
        {
            Append(builder, type.GetElementType()!, nullability?.ElementType);
            builder.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
        }
        else if (Keywords.TryGetValue(type, out var keyword))
        {
            builder.Append(keyword);
        }
        else if (type.IsGenericParameter)
        {
            builder.Append(type.Name);
        }
        else
        {
            AppendNamed(builder, type, nullability);
        }

        if (!type.IsValueType && nullability?.ReadState == NullabilityState.Nullable)
            builder.Append('?');
    }

    private static void AppendNamed(StringBuilder builder, Type type, NullabilityInfo? nullability)
    {
        if (type.IsNested && !type.IsGenericParameter)
            AppendNamed(builder, type.DeclaringType!, null);
        else if (!string.IsNullOrEmpty(type.Namespace))
            builder.Append(type.Namespace);

        if (builder.Length > 0)
            builder.Append('.');

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        builder.Append(tick < 0 ? name : name[..tick]);
        if (!type.IsGenericType || tick < 0)
            return;

        // Only this type's own arguments (a nested type's Type.GetGenericArguments repeats its outer type's).
        var arguments = type.GetGenericArguments();
        var own = int.Parse(name[(tick + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var argumentNullability = nullability?.GenericTypeArguments;
        builder.Append('<');
        for (var i = arguments.Length - own; i < arguments.Length; i++)
        {
            if (i > arguments.Length - own)
                builder.Append(", ");
            Append(builder, arguments[i], argumentNullability is { Length: > 0 } n && i < n.Length ? n[i] : null);
        }

        builder.Append('>');
    }
}
