using System.CodeDom.Compiler;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AuditGen.ModelContextProtocol;

/// <summary>The call-tool filter: one <see cref="ToolInvocation"/> per tools/call, inside the request's audit context.</summary>
internal sealed class CallToolAuditFilter(Func<IServiceProvider, IAuditTrail> resolveTrail, McpAuditOptions options)
{
    private const string GeneratorName = "AuditGen.Generators";

    // Tools backed by a server primitive, described once per primitive; schema-only tools by name and argument names.
    private readonly ConditionalWeakTable<McpServerTool, AuditedMcpTool> _byPrimitive = new();
    private readonly ConcurrentDictionary<string, AuditedMcpTool> _byName = new(StringComparer.Ordinal);
    // Transports without sessions (stdio, streams) report no session id: one id per server stands in.
    private readonly ConditionalWeakTable<object, string> _localSessions = new();

    public McpRequestHandler<CallToolRequestParams, CallToolResult> Wrap(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (context, cancellationToken) => InvokeAsync(next, context, cancellationToken);

    private async ValueTask<CallToolResult> InvokeAsync(
        McpRequestHandler<CallToolRequestParams, CallToolResult> next, RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        if (context.Params is not { } request)
            return await next(context, cancellationToken).ConfigureAwait(false); // the SDK rejects a call without params

        var services = context.Services ?? context.Server.Services
            ?? throw new InvalidOperationException("The MCP request has no services to resolve the audit trail from.");
        var trail = resolveTrail(services);
        using var scope = AuditContext.Begin(ContextFor(context));

        var tool = ToolFor(context.MatchedPrimitive as McpServerTool, request);
        if (tool is null)
            return await next(context, cancellationToken).ConfigureAwait(false); // a generated wrapper records the call itself

        var invocation = ToolInvocation.Start(trail, tool.Runtime.Descriptor);
        tool.CaptureArguments(invocation, request.Arguments);
        await invocation.InvokedAsync().ConfigureAwait(false);
        CallToolResult result;
        try
        {
            result = await next(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await invocation.FailedAsync(ex).ConfigureAwait(false);
            throw;
        }

        if (result.IsError == true)
            await invocation.FailedAsync(new McpToolErrorException(TextOf(result))).ConfigureAwait(false);
        else
            await invocation.CompletedAsync(ResultOf(result)).ConfigureAwait(false);
        return result;
    }

    private AuditContext ContextFor(RequestContext<CallToolRequestParams> context)
    {
        var outer = AuditContext.Current;
        var principal = context.User;
        var user = principal?.Identity?.IsAuthenticated == true ? options.UserId(principal) : null;
        var server = context.Server;
        return new AuditContext
        {
            ConversationId = server.SessionId
                ?? _localSessions.GetValue(LocalSessionKey(context), static _ => "mcp-" + Guid.NewGuid().ToString("N")),
            UserId = user ?? outer?.UserId,
            AgentName = options.AgentName ?? outer?.AgentName ?? server.ClientInfo?.Name,
            ActorId = outer?.ActorId,
            ActorType = outer?.ActorType ?? ActorType.Agent,
            ToolCallId = context.JsonRpcRequest.Id.ToString(),
        };
    }

    // Without a session id (stdio and stream transports; under the stateless 2026-07-28 revision even the client info
    // is per request), the server instance is the only lasting thing: its services identify it. The request's Server
    // is a per-request view and cannot serve as the key.
    private static object LocalSessionKey(RequestContext<CallToolRequestParams> context) =>
        (object?)context.Server.Services ?? context.Server;

    private AuditedMcpTool? ToolFor(McpServerTool? primitive, CallToolRequestParams request)
    {
        // A tool made from a method (WithTools, McpServerTool.Create) lists that method first in its metadata.
        if (primitive is { Metadata: [MethodInfo method, ..] })
        {
            if (IsGeneratedWrapper(method))
                return null;
            return _byPrimitive.GetValue(primitive, p => AuditedMcpTool.ForMethod(method, request.Name, Mapping(request.Name, method.Name), p.ProtocolTool.InputSchema));
        }

        var schema = primitive?.ProtocolTool.InputSchema;
        var names = SchemaProperties(schema);
        if (request.Arguments is { } arguments)
            names.AddRange(arguments.Keys.Where(k => !names.Contains(k)).Order(StringComparer.Ordinal));
        var key = request.Name + "\0" + string.Join("\0", names);
        return _byName.GetOrAdd(key, _ => AuditedMcpTool.ForArguments(request.Name, names, Mapping(request.Name, null), primitive?.ProtocolTool.Description));
    }

    private ToolMapping? Mapping(string toolName, string? methodName) =>
        options.Tools.Tools.FirstOrDefault(m => m.Key == toolName) ?? options.Tools.Tools.FirstOrDefault(m => methodName is not null && m.Key == methodName);

    private static bool IsGeneratedWrapper(MethodInfo method) =>
        method.DeclaringType?.GetCustomAttribute<GeneratedCodeAttribute>() is { Tool: GeneratorName };

    internal static List<string> SchemaProperties(JsonElement? schema)
    {
        var names = new List<string>();
        if (schema is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
                names.Add(property.Name);
        }

        return names;
    }

    /// <summary>The result as recorded: the structured content when there is one, else the text blocks.</summary>
    private static object? ResultOf(CallToolResult result)
    {
        if (result.StructuredContent is { } structured)
            return structured;
        return TextOf(result);
    }

    private static string TextOf(CallToolResult result)
    {
        var text = new StringBuilder();
        foreach (var block in result.Content)
        {
            if (text.Length > 0)
                text.Append('\n');
            text.Append(block is TextContentBlock { Text: var t } ? t : "[" + block.Type + "]");
        }

        return text.ToString();
    }
}
