using AuditGen;
using AuditGen.ModelContextProtocol;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Audits an MCP server's tool calls on an AuditGen trail.</summary>
public static class McpServerAuditingExtensions
{
    /// <summary>
    /// Adds a call-tool filter that records every tools/call on <paramref name="trail"/> through
    /// <see cref="ToolInvocation"/> — <c>tool_invoked</c> before the tool runs, <c>tool_completed</c> or
    /// <c>tool_failed</c> after — with the MCP session as the conversation, the request's authenticated user, the MCP
    /// client as the agent, and the JSON-RPC request id as the tool-call id. Arguments are redacted by the tool's
    /// attributes and <see cref="McpAuditOptions.Tools"/> before anything is recorded.
    /// </summary>
    /// <remarks>
    /// The failure policy is the trail's and the tool's, as for generated wrappers: fail-closed, a call whose
    /// <c>tool_invoked</c> record cannot be made durable does not run, and the client receives an error. A tool whose
    /// method is already an AuditGen-generated wrapper is not recorded twice: the filter only supplies the session and
    /// user to the wrapper's own records.
    /// </remarks>
    public static IMcpServerBuilder WithAuditing(this IMcpServerBuilder builder, IAuditTrail trail, Action<McpAuditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(trail);
        return builder.WithAuditing(_ => trail, configure);
    }

    /// <summary>
    /// As <see cref="WithAuditing(IMcpServerBuilder, IAuditTrail, Action{McpAuditOptions}?)"/>, with the
    /// <see cref="IAuditTrail"/> registered in the server's services (for example by <c>AddAuditTrail</c>).
    /// </summary>
    public static IMcpServerBuilder WithAuditing(this IMcpServerBuilder builder, Action<McpAuditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithAuditing(services => services.GetRequiredService<IAuditTrail>(), configure);
    }

    private static IMcpServerBuilder WithAuditing(this IMcpServerBuilder builder, Func<IServiceProvider, IAuditTrail> trail, Action<McpAuditOptions>? configure)
    {
        var options = new McpAuditOptions();
        configure?.Invoke(options);
        var filter = new CallToolAuditFilter(trail, options);
        return builder.WithRequestFilters(filters => filters.AddCallToolFilter(filter.Wrap));
    }
}
