using System.Text.Json;
using Microsoft.Extensions.AI;

namespace AuditGen.Extensions.AI;

/// <summary>
/// An <see cref="AIFunction"/> whose every invocation is audited through <see cref="ToolInvocation"/>, with the records
/// the generated wrapper writes: <c>tool_invoked</c> before the inner function runs (durable first under fail-closed),
/// then <c>tool_completed</c> or <c>tool_failed</c>. Works for any <see cref="AIFunction"/>: functions made by
/// <see cref="AIFunctionFactory"/> (the method's AuditGen attributes are read), Semantic Kernel's <c>KernelFunction</c>
/// and MCP tools (configure them with a <see cref="ToolMapping"/>). When the function is called by
/// <see cref="FunctionInvokingChatClient"/>, the model's tool-call id is recorded on every record of the call
/// (<c>details.toolCallId</c>) and is in <see cref="AuditContext.ToolCallId"/> for whatever the function calls.
/// </summary>
/// <remarks>
/// Arguments are converted to the method's parameter types (as the function itself converts them) before capture, so
/// a value is recorded exactly as the generated wrapper records it; for the same reason a result the function returns as
/// JSON (as <see cref="AIFunctionFactory"/> functions do) is read back as the method's result type before capture. A
/// method marked <c>[AuditedTool]</c> is recorded under its manifest tool name.
/// </remarks>
public sealed class AuditingFunction : DelegatingAIFunction
{
    private readonly IAuditTrail _trail;
    private readonly RuntimeTool _tool;

    /// <summary>Audits <paramref name="innerFunction"/> on <paramref name="trail"/>.</summary>
    /// <param name="innerFunction">The function to audit.</param>
    /// <param name="trail">The trail.</param>
    /// <param name="mapping">Configuration for what the function's code does not declare (from <c>new ToolMap().Tool(name)</c>), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The mapping names a parameter the function does not have.</exception>
    public AuditingFunction(AIFunction innerFunction, IAuditTrail trail, ToolMapping? mapping = null)
        : base(innerFunction)
    {
        ArgumentNullException.ThrowIfNull(trail);
        _trail = trail;
        _tool = innerFunction.UnderlyingMethod is { } method
            ? RuntimeTool.ForMethod(method, innerFunction.Name, mapping, IsModelArgument)
            : RuntimeTool.ForArguments(innerFunction.Name, SchemaParameters(innerFunction.JsonSchema), mapping, innerFunction.Description);
    }

    /// <summary>The descriptor the records are made from.</summary>
    public ToolDescriptor Descriptor => _tool.Descriptor;

    /// <inheritdoc />
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var toolCallId = FunctionInvokingChatClient.CurrentContext?.CallContent.CallId;
        using var scope = toolCallId is not null && AuditContext.Current?.ToolCallId != toolCallId ? AuditContext.BeginToolCall(toolCallId) : null;

        var audit = ToolInvocation.Start(_trail, _tool.Descriptor);
        var parameters = _tool.Parameters;
        var serializerOptions = JsonSerializerOptions;
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            var value = arguments.TryGetValue(parameter.Name, out var given) ? given
                : parameter.DefaultValue.HasValue ? parameter.DefaultValue.Value
                : null;
            _tool.CaptureConvertedArgument(audit, i, value, serializerOptions);
        }

        await audit.InvokedAsync().ConfigureAwait(false);
        object? result;
        try
        {
            result = await base.InvokeCoreAsync(arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await audit.FailedAsync(ex).ConfigureAwait(false);
            throw;
        }

        await _tool.CompletedFromJsonAsync(audit, result, serializerOptions).ConfigureAwait(false);
        return result;
    }

    /// <summary>Parameters the model supplies; those <see cref="AIFunctionFactory"/> binds itself are not arguments.</summary>
    private static bool IsModelArgument(System.Reflection.ParameterInfo parameter) =>
        parameter.ParameterType != typeof(AIFunctionArguments) && parameter.ParameterType != typeof(IServiceProvider);

    private static string[] SchemaParameters(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            ? properties.EnumerateObject().Select(p => p.Name).ToArray()
            : [];
}
