using System.Reflection;
using System.Text.Json;

namespace AuditGen.ModelContextProtocol;

/// <summary>
/// One MCP tool as AuditGen sees it: a <see cref="RuntimeTool"/> (from the tool method's attributes, or from the
/// argument names only) plus how a tools/call's JSON arguments become the values it captures.
/// </summary>
internal sealed class AuditedMcpTool
{
    private readonly JsonSerializerOptions? _serializer;

    private AuditedMcpTool(RuntimeTool runtime, JsonSerializerOptions? serializer)
    {
        Runtime = runtime;
        _serializer = serializer;
    }

    public RuntimeTool Runtime { get; }

    /// <summary>A tool backed by a .NET method: its parameters that the input schema exposes are audited, by their declared types.</summary>
    public static AuditedMcpTool ForMethod(MethodInfo method, string toolName, ToolMapping? mapping, JsonElement inputSchema)
    {
        var exposed = CallToolAuditFilter.SchemaProperties(inputSchema).ToHashSet(StringComparer.Ordinal);
        var runtime = RuntimeTool.ForMethod(method, toolName, mapping, p => p.Name is { } name && exposed.Contains(name));
        // The SDK binds arguments with these options unless a tool was given others.
        return new AuditedMcpTool(runtime, global::ModelContextProtocol.McpJsonUtilities.DefaultOptions);
    }

    /// <summary>A tool known only by its name and argument names (another server's, or a custom handler's).</summary>
    public static AuditedMcpTool ForArguments(string toolName, IReadOnlyList<string> parameterNames, ToolMapping? mapping, string? description) =>
        new(RuntimeTool.ForArguments(toolName, parameterNames, mapping, description, containingType: "mcp"), serializer: null);

    /// <summary>Captures every audited argument from the request (a missing one as <see langword="null"/>).</summary>
    public void CaptureArguments(ToolInvocation invocation, IDictionary<string, JsonElement>? arguments)
    {
        var parameters = Runtime.Parameters;
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            object? value = arguments is not null && arguments.TryGetValue(parameter.Name, out var element) ? Convert(element, parameter.Type) : null;
            Runtime.CaptureArgument(invocation, i, value);
        }
    }

    /// <summary>
    /// To the declared type, as the tool will bind it, so values are rendered (and pseudonymised) exactly as the
    /// generated wrapper renders them; a value that does not bind is captured as the JSON the client sent.
    /// </summary>
    private object? Convert(JsonElement element, Type? declared)
    {
        if (element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return null;
        if (declared is null || _serializer is null)
            return element;
        try
        {
            return element.Deserialize(declared, _serializer);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return element;
        }
    }
}
