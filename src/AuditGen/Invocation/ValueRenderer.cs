using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AuditGen;

/// <summary>
/// Renders captured values to text without reflection or boxing for the common types: the <c>typeof(T)</c> tests are
/// constants for each value-type instantiation, so the JIT keeps only the branch that applies. Everything else goes
/// through System.Text.Json with the trail's <see cref="AuditTrailOptions.ValueSerializerOptions"/>.
/// </summary>
/// <remarks>
/// Text forms: strings as they are; numbers and booleans in the invariant culture (JSON literals); non-finite floating
/// point values as the strings <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>; <see cref="char"/>, <see cref="Guid"/>
/// (<c>D</c>), <see cref="TimeSpan"/> (<c>c</c>), <see cref="DateOnly"/> and <see cref="TimeOnly"/> (<c>O</c>) as
/// strings; <see cref="DateTime"/> and <see cref="DateTimeOffset"/> as ISO 8601 UTC (<c>2024-05-01T10:00:00.0000000Z</c>;
/// a <see cref="DateTimeKind.Unspecified"/> value is taken as UTC rather than shifted by the machine's time zone);
/// enums by name (this one boxes); <c>byte[]</c> as base64. A serializer failure yields
/// <see cref="RenderedKind.Unserializable"/> instead of an exception.
/// </remarks>
internal static class ValueRenderer
{
    /// <summary>Enough characters for any primitive handled here.</summary>
    public const int ScratchLength = 64;

    private static readonly JsonSerializerOptions DefaultOptions = JsonSerializerOptions.Default;

    public static RenderedValue Render<T>(T value, Span<char> scratch, JsonSerializerOptions? options)
    {
        if (value is null)
            return new RenderedValue { Kind = RenderedKind.Null };

        if (typeof(T) == typeof(string))
        {
            var s = Unsafe.As<T, string>(ref value);
            return new RenderedValue { Kind = RenderedKind.String, Text = s, SourceString = s };
        }

        if (typeof(T).IsValueType && TryRenderPrimitive(value, scratch, out var primitive))
            return primitive;

        if (typeof(T) == typeof(byte[]))
        {
            var base64 = Convert.ToBase64String(Unsafe.As<T, byte[]>(ref value));
            return new RenderedValue { Kind = RenderedKind.String, Text = base64, SourceString = base64 };
        }

        if (typeof(T).IsEnum)
        {
            var name = value.ToString() ?? string.Empty;
            return new RenderedValue { Kind = RenderedKind.String, Text = name, SourceString = name };
        }

        return RenderJson(value, options ?? DefaultOptions);
    }

    private static bool TryRenderPrimitive<T>(T value, Span<char> scratch, out RenderedValue rendered)
    {
        var invariant = CultureInfo.InvariantCulture;
        int written;
        if (typeof(T) == typeof(bool))
        {
            var text = Unsafe.As<T, bool>(ref value) ? "true" : "false";
            rendered = new RenderedValue { Kind = RenderedKind.Literal, Text = text, SourceString = text };
            return true;
        }

        if (typeof(T) == typeof(int)) { Unsafe.As<T, int>(ref value).TryFormat(scratch, out written, default, invariant); return Literal(scratch, written, out rendered); }
        if (typeof(T) == typeof(long)) { Unsafe.As<T, long>(ref value).TryFormat(scratch, out written, default, invariant); return Literal(scratch, written, out rendered); }
        if (typeof(T) == typeof(short)) { Unsafe.As<T, short>(ref value).TryFormat(scratch, out written, default, invariant); return Literal(scratch, written, out rendered); }
        if (typeof(T) == typeof(byte)) { Unsafe.As<T, byte>(ref value).TryFormat(scratch, out written, default, invariant); return Literal(scratch, written, out rendered); }
        if (typeof(T) == typeof(sbyte)) { Unsafe.As<T, sbyte>(ref value).TryFormat(scratch, out written, default, invariant); return Literal(scratch, written, out rendered); }
        if (typeof(T) == typeof(ushort)) { Unsafe.As<T, ushort>(ref value).TryFormat(scratch, out written, default, invariant); return Literal(scratch, written, out rendered); }
        if (typeof(T) == typeof(uint)) { Unsafe.As<T, uint>(ref value).TryFormat(scratch, out written, default, invariant); return Literal(scratch, written, out rendered); }
        if (typeof(T) == typeof(ulong)) { Unsafe.As<T, ulong>(ref value).TryFormat(scratch, out written, default, invariant); return Literal(scratch, written, out rendered); }
        if (typeof(T) == typeof(decimal)) { Unsafe.As<T, decimal>(ref value).TryFormat(scratch, out written, default, invariant); return Literal(scratch, written, out rendered); }

        if (typeof(T) == typeof(double))
        {
            var d = Unsafe.As<T, double>(ref value);
            d.TryFormat(scratch, out written, default, invariant);
            return double.IsFinite(d) ? Literal(scratch, written, out rendered) : Text(scratch, written, out rendered);
        }

        if (typeof(T) == typeof(float))
        {
            var f = Unsafe.As<T, float>(ref value);
            f.TryFormat(scratch, out written, default, invariant);
            return float.IsFinite(f) ? Literal(scratch, written, out rendered) : Text(scratch, written, out rendered);
        }

        if (typeof(T) == typeof(char)) { scratch[0] = Unsafe.As<T, char>(ref value); return Text(scratch, 1, out rendered); }
        if (typeof(T) == typeof(Guid)) { Unsafe.As<T, Guid>(ref value).TryFormat(scratch, out written, "D"); return Text(scratch, written, out rendered); }

        if (typeof(T) == typeof(DateTime))
        {
            var dt = Unsafe.As<T, DateTime>(ref value);
            dt = dt.Kind switch
            {
                DateTimeKind.Local => dt.ToUniversalTime(),
                DateTimeKind.Unspecified => DateTime.SpecifyKind(dt, DateTimeKind.Utc),
                _ => dt,
            };
            dt.TryFormat(scratch, out written, "O", invariant);
            return Text(scratch, written, out rendered);
        }

        if (typeof(T) == typeof(DateTimeOffset)) { Unsafe.As<T, DateTimeOffset>(ref value).UtcDateTime.TryFormat(scratch, out written, "O", invariant); return Text(scratch, written, out rendered); }
        if (typeof(T) == typeof(TimeSpan)) { Unsafe.As<T, TimeSpan>(ref value).TryFormat(scratch, out written, "c", invariant); return Text(scratch, written, out rendered); }
        if (typeof(T) == typeof(DateOnly)) { Unsafe.As<T, DateOnly>(ref value).TryFormat(scratch, out written, "O", invariant); return Text(scratch, written, out rendered); }
        if (typeof(T) == typeof(TimeOnly)) { Unsafe.As<T, TimeOnly>(ref value).TryFormat(scratch, out written, "O", invariant); return Text(scratch, written, out rendered); }

        // The common nullable forms, unwrapped without boxing.
        if (typeof(T) == typeof(int?)) return Nullable(Unsafe.As<T, int?>(ref value), scratch, out rendered);
        if (typeof(T) == typeof(long?)) return Nullable(Unsafe.As<T, long?>(ref value), scratch, out rendered);
        if (typeof(T) == typeof(bool?)) return Nullable(Unsafe.As<T, bool?>(ref value), scratch, out rendered);
        if (typeof(T) == typeof(double?)) return Nullable(Unsafe.As<T, double?>(ref value), scratch, out rendered);
        if (typeof(T) == typeof(decimal?)) return Nullable(Unsafe.As<T, decimal?>(ref value), scratch, out rendered);
        if (typeof(T) == typeof(Guid?)) return Nullable(Unsafe.As<T, Guid?>(ref value), scratch, out rendered);
        if (typeof(T) == typeof(DateTime?)) return Nullable(Unsafe.As<T, DateTime?>(ref value), scratch, out rendered);
        if (typeof(T) == typeof(DateTimeOffset?)) return Nullable(Unsafe.As<T, DateTimeOffset?>(ref value), scratch, out rendered);

        rendered = default;
        return false;
    }

    private static bool Nullable<TValue>(TValue? value, Span<char> scratch, out RenderedValue rendered)
        where TValue : struct
    {
        if (!value.HasValue)
        {
            rendered = new RenderedValue { Kind = RenderedKind.Null };
            return true;
        }

        return TryRenderPrimitive(value.GetValueOrDefault(), scratch, out rendered);
    }

    private static bool Literal(Span<char> scratch, int written, out RenderedValue rendered)
    {
        rendered = new RenderedValue { Kind = RenderedKind.Literal, Text = scratch[..written] };
        return true;
    }

    private static bool Text(Span<char> scratch, int written, out RenderedValue rendered)
    {
        rendered = new RenderedValue { Kind = RenderedKind.String, Text = scratch[..written] };
        return true;
    }

    private static RenderedValue RenderJson<T>(T value, JsonSerializerOptions options)
    {
        try
        {
            // GetTypeInfo + the JsonTypeInfo overload: no RequiresUnreferencedCode path, so a source-generated
            // TypeInfoResolver in the options is all a trimmed/AOT application needs.
            var typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
            return new RenderedValue { Kind = RenderedKind.Json, Json = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo) };
        }
        catch (Exception ex)
        {
            // Not swallowed: the record carries the marker naming the type and the exception type. The message is left
            // out on purpose: a throwing getter's message may quote the very data being protected.
            return new RenderedValue
            {
                Kind = RenderedKind.Unserializable,
                TypeName = value?.GetType().FullName ?? typeof(T).FullName ?? typeof(T).Name,
                Reason = ex.GetType().FullName ?? ex.GetType().Name,
            };
        }
    }
}
