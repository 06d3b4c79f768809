using System.ComponentModel;
using System.Reflection;
using System.Text.Json;

namespace AuditGen;

/// <summary>How a runtime-intercepted tool returns.</summary>
public enum ToolReturnKind
{
    /// <summary><c>void</c>.</summary>
    Void,
    /// <summary>A synchronous value.</summary>
    Value,
    /// <summary><see cref="Task"/>.</summary>
    Task,
    /// <summary><see cref="Task{TResult}"/>.</summary>
    TaskOfT,
    /// <summary><see cref="ValueTask"/>.</summary>
    ValueTask,
    /// <summary><see cref="ValueTask{TResult}"/>.</summary>
    ValueTaskOfT,
}

/// <summary>One audited parameter of a <see cref="RuntimeTool"/>.</summary>
/// <param name="Name">The parameter name (as recorded).</param>
/// <param name="Position">Its position among the method's parameters (or among the tool's named arguments).</param>
/// <param name="Type">Its type, or <see langword="null"/> when the tool has no method (arguments are captured by their runtime type).</param>
/// <param name="DefaultValue">Whether it has a default value, and which.</param>
public sealed record RuntimeToolParameter(string Name, int Position, Type? Type, Optional<object?> DefaultValue);

/// <summary>An optional value.</summary>
/// <typeparam name="T">The value type.</typeparam>
/// <param name="HasValue">Whether there is a value.</param>
/// <param name="Value">The value.</param>
public readonly record struct Optional<T>(bool HasValue, T Value);

/// <summary>
/// A tool described at run time, for code the generator never saw: its <see cref="ToolDescriptor"/> is built once from
/// the method's AuditGen attributes (read by the same rules as the generator) and an optional <see cref="ToolMapping"/>,
/// and it captures arguments and results through <see cref="ToolInvocation"/> with their declared types, so the records
/// are the ones the generated wrapper would write. Used by the Castle DynamicProxy interceptor and the
/// Microsoft.Extensions.AI function decorator.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed partial class RuntimeTool
{
    private readonly ArgumentPlan[] _arguments;
    private readonly ValueCapture? _result;

    private RuntimeTool(ToolDescriptor descriptor, MethodInfo? method, ArgumentPlan[] arguments, ToolReturnKind returnKind, Type? resultType)
    {
        Descriptor = descriptor;
        Method = method;
        _arguments = arguments;
        ReturnKind = returnKind;
        ResultType = resultType;
        Parameters = Array.ConvertAll(arguments, a => a.Parameter);
        _result = resultType is null ? null : ValueCapture.For(resultType);
    }

    /// <summary>The descriptor every record of this tool is made from.</summary>
    public ToolDescriptor Descriptor { get; }

    /// <summary>The method, when the tool has one.</summary>
    public MethodInfo? Method { get; }

    /// <summary>The audited parameters, in the order of <see cref="ToolDescriptor.Parameters"/>.</summary>
    public IReadOnlyList<RuntimeToolParameter> Parameters { get; }

    /// <summary>How the method returns.</summary>
    public ToolReturnKind ReturnKind { get; }

    /// <summary>The result type (the <c>T</c> of <c>Task&lt;T&gt;</c>), or <see langword="null"/> when the tool returns nothing or has no method.</summary>
    public Type? ResultType { get; }

    /// <summary>
    /// Captures every audited argument. <paramref name="arguments"/> holds the method's arguments by position
    /// (cancellation tokens included, as the method receives them).
    /// </summary>
    public void CaptureArguments(ToolInvocation invocation, IReadOnlyList<object?> arguments)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(arguments);
        for (var i = 0; i < _arguments.Length; i++)
            _arguments[i].Capture(invocation, i, arguments[_arguments[i].Parameter.Position]);
    }

    /// <summary>Captures the argument of audited parameter <paramref name="index"/> (an index into <see cref="Parameters"/>).</summary>
    public void CaptureArgument(ToolInvocation invocation, int index, object? value)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        _arguments[index].Capture(invocation, index, value);
    }

    /// <summary>
    /// Records <c>tool_completed</c> with <paramref name="result"/>, typed as <see cref="ResultType"/> (or by its runtime
    /// type when that is unknown, or when <paramref name="asReturned"/> says another layer already converted it, e.g. an
    /// <c>AIFunction</c> that returns its result as JSON). A tool that returns nothing records no result.
    /// </summary>
    public ValueTask CompletedAsync(ToolInvocation invocation, object? result, bool asReturned = false)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        if (ReturnKind is ToolReturnKind.Void or ToolReturnKind.Task or ToolReturnKind.ValueTask)
            return invocation.CompletedAsync();
        var capture = asReturned ? null : _result;
        return (capture ?? ValueCapture.ForRuntimeType(result)).CompleteAsync(invocation, result);
    }

    /// <summary>
    /// Captures the argument of audited parameter <paramref name="index"/> from a value that may not have the parameter's
    /// type (a model's JSON, a scripted client's string for a date): converted through <paramref name="serializerOptions"/>
    /// as the function itself will convert it, then captured as the declared type, so the record matches the generated
    /// wrapper's. A value that does not convert is captured as it is (an object argument property by property, by JSON
    /// name, so a classified property is still redacted); the function will then reject it and the call is recorded as failed.
    /// </summary>
    public void CaptureConvertedArgument(ToolInvocation invocation, int index, object? value, JsonSerializerOptions serializerOptions)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(serializerOptions);
        var plan = _arguments[index];
        var type = plan.Parameter.Type;
        if (value is null || type is null || type.IsInstanceOfType(value))
        {
            plan.Capture(invocation, index, value);
            return;
        }

        if (TryConvert(value, type, serializerOptions, out var converted))
            plan.Capture(invocation, index, converted);
        else
            plan.CaptureUnconverted(invocation, index, value, serializerOptions);
    }

    /// <summary>
    /// Records <c>tool_completed</c> for a result another layer returned as JSON (an <c>AIFunction</c>'s marshalled
    /// result): read back as <see cref="ResultType"/> through <paramref name="serializerOptions"/> and captured as that
    /// type, so the record matches the generated wrapper's; a result that does not read back is captured as returned.
    /// </summary>
    public ValueTask CompletedFromJsonAsync(ToolInvocation invocation, object? result, JsonSerializerOptions serializerOptions)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(serializerOptions);
        if (ResultType is { } type && result is not null && !type.IsInstanceOfType(result) && TryConvert(result, type, serializerOptions, out var typed))
            return CompletedAsync(invocation, typed);
        return CompletedAsync(invocation, result, asReturned: ResultType is null || (result is not null && !ResultType.IsInstanceOfType(result)));
    }

    private static bool TryConvert(object value, Type type, JsonSerializerOptions options, out object? converted)
    {
        if (value is JsonElement primitive && TryConvertPrimitive(primitive, type, out converted))
            return true;
        try
        {
            var element = value is JsonElement json ? json : JsonSerializer.SerializeToElement(value, value.GetType(), options);
            converted = element.Deserialize(type, options);
            return converted is null || type.IsInstanceOfType(converted);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or FormatException or ArgumentException)
        {
            // Not swallowed: the value is then captured as it came (see CaptureConvertedArgument).
            converted = null;
            return false;
        }
    }

    /// <summary>Synchronous <see cref="CompletedAsync"/>.</summary>
    public void Completed(ToolInvocation invocation, object? result)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        if (ReturnKind is ToolReturnKind.Void or ToolReturnKind.Task or ToolReturnKind.ValueTask)
            invocation.Completed();
        else
            (_result ?? ValueCapture.ForRuntimeType(result)).Complete(invocation, result);
    }

    /// <summary>How one audited argument is captured: by its declared type, property by property for an object argument with classified properties.</summary>
    /// <summary>The common JSON scalars read directly (a JSON deserialization costs about a microsecond).</summary>
    private static bool TryConvertPrimitive(JsonElement element, Type type, out object? converted)
    {
        converted = null;
        switch (element.ValueKind)
        {
            case JsonValueKind.String when type == typeof(string):
                converted = element.GetString();
                return true;
            case JsonValueKind.Number when type == typeof(int) && element.TryGetInt32(out var i):
                converted = i;
                return true;
            case JsonValueKind.Number when type == typeof(long) && element.TryGetInt64(out var l):
                converted = l;
                return true;
            case JsonValueKind.Number when type == typeof(double) && element.TryGetDouble(out var d):
                converted = d;
                return true;
            case JsonValueKind.True or JsonValueKind.False when type == typeof(bool):
                converted = element.GetBoolean();
                return true;
            default:
                return false;
        }
    }

    private sealed class ArgumentPlan(RuntimeToolParameter parameter, ValueCapture? capture, PropertyPlan[] properties)
    {
        public RuntimeToolParameter Parameter { get; } = parameter;

        /// <summary>A value of another type than the parameter's: as it is, or for an object argument, its JSON properties one by one.</summary>
        public void CaptureUnconverted(ToolInvocation invocation, int index, object value, JsonSerializerOptions options)
        {
            if (properties.Length == 0)
            {
                ValueCapture.ForRuntimeType(value).Argument(invocation, index, value);
                return;
            }

            JsonElement json;
            try
            {
                json = value is JsonElement element ? element : JsonSerializer.SerializeToElement(value, value.GetType(), options);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
            {
                json = default;
            }

            invocation.BeginObjectArgument(index);
            for (var p = 0; p < properties.Length; p++)
            {
                object? property = Property(json, properties[p].Property.Name, out var found) ? found : null;
                ValueCapture.ForRuntimeType(property).Property(invocation, p, property);
            }

            invocation.EndObjectArgument();
        }

        private static bool Property(JsonElement json, string name, out JsonElement value)
        {
            value = default;
            if (json.ValueKind != JsonValueKind.Object)
                return false;
            foreach (var candidate in json.EnumerateObject())
            {
                if (string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = candidate.Value;
                    return value.ValueKind != JsonValueKind.Null;
                }
            }

            return false;
        }

        public void Capture(ToolInvocation invocation, int index, object? value)
        {
            if (properties.Length == 0 || value is null)
            {
                (capture ?? ValueCapture.ForRuntimeType(value)).Argument(invocation, index, value);
                return;
            }

            invocation.BeginObjectArgument(index);
            for (var p = 0; p < properties.Length; p++)
                properties[p].Capture.Property(invocation, p, properties[p].Property.GetValue(value));
            invocation.EndObjectArgument();
        }
    }

    private sealed record PropertyPlan(PropertyInfo Property, ValueCapture Capture);
}
