using System.Collections.Concurrent;
using System.Text.Json;

namespace AuditGen;

/// <summary>
/// Hands a boxed value to <see cref="ToolInvocation"/>'s generic capture methods as its declared type, so it is rendered
/// exactly as the generated wrapper renders it (a string as text, a date in ISO 8601 UTC, an enum by name). One instance
/// per type, cached.
/// </summary>
internal abstract class ValueCapture
{
    private static readonly ConcurrentDictionary<Type, ValueCapture> Cache = new();

    public static ValueCapture For(Type type) =>
        Cache.GetOrAdd(type, static t => (ValueCapture)Activator.CreateInstance(typeof(Typed<>).MakeGenericType(t))!);

    /// <summary>By the value's runtime type; a JSON string element is captured as the string it holds.</summary>
    public static ValueCapture ForRuntimeType(object? value) => value switch
    {
        null => For(typeof(object)),
        JsonElement { ValueKind: JsonValueKind.String } => JsonString.Instance,
        _ => For(value.GetType()),
    };

    public abstract void Argument(ToolInvocation invocation, int index, object? value);

    public abstract void Property(ToolInvocation invocation, int index, object? value);

    public abstract void Complete(ToolInvocation invocation, object? value);

    public abstract ValueTask CompleteAsync(ToolInvocation invocation, object? value);

    private sealed class Typed<T> : ValueCapture
    {
        public override void Argument(ToolInvocation invocation, int index, object? value) => invocation.Argument(index, Cast(value));

        public override void Property(ToolInvocation invocation, int index, object? value) => invocation.ObjectProperty(index, Cast(value));

        public override void Complete(ToolInvocation invocation, object? value) => invocation.Completed(Cast(value));

        public override ValueTask CompleteAsync(ToolInvocation invocation, object? value) => invocation.CompletedAsync(Cast(value));

        private static T Cast(object? value) => value is null ? default! : (T)value;
    }

    private sealed class JsonString : ValueCapture
    {
        public static readonly JsonString Instance = new();

        public override void Argument(ToolInvocation invocation, int index, object? value) => invocation.Argument(index, Text(value));

        public override void Property(ToolInvocation invocation, int index, object? value) => invocation.ObjectProperty(index, Text(value));

        public override void Complete(ToolInvocation invocation, object? value) => invocation.Completed(Text(value));

        public override ValueTask CompleteAsync(ToolInvocation invocation, object? value) => invocation.CompletedAsync(Text(value));

        private static string? Text(object? value) => ((JsonElement)value!).GetString();
    }
}
