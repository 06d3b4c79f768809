using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AuditGen.ModelContextProtocol.Tests;

/// <summary>A real MCP server (generic host, stream transport) and a real MCP client, connected by in-memory pipes.</summary>
internal sealed class McpHarness : IAsyncDisposable
{
    private readonly Pipe _clientToServer = new();
    private readonly Pipe _serverToClient = new();
    private IHost _host = null!;

    public McpClient Client { get; private set; } = null!;

    public static async Task<McpHarness> StartAsync(Action<IMcpServerBuilder> configure, string clientName = "triage-agent")
    {
        var harness = new McpHarness();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var mcp = builder.Services
            .AddMcpServer(o => o.ServerInfo = new Implementation { Name = "clinic", Version = "1.0" })
            .WithStreamServerTransport(harness._clientToServer.Reader.AsStream(), harness._serverToClient.Writer.AsStream())
            .WithTools<ClinicMcpTools>()
            .WithTools<AlreadyAuditedTools>();
        configure(mcp);
        harness._host = builder.Build();
        await harness._host.StartAsync();
        harness.Client = await McpClient.CreateAsync(
            new StreamClientTransport(harness._clientToServer.Writer.AsStream(), harness._serverToClient.Reader.AsStream()),
            new McpClientOptions { ClientInfo = new Implementation { Name = clientName, Version = "1.0" } });
        return harness;
    }

    public Task<CallToolResult> CallAsync(string tool, params (string Name, object? Value)[] arguments) =>
        Client.CallToolAsync(tool, arguments.ToDictionary(a => a.Name, a => a.Value)).AsTask();

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _clientToServer.Writer.CompleteAsync();
        await _serverToClient.Writer.CompleteAsync();
        await _host.StopAsync();
        _host.Dispose();
    }
}
