using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AuditGen.Hosting;

/// <summary>
/// Opens the trail when the host starts (so a bad path or a locked trail fails the start, not the first tool call),
/// flushes it when the host stops, and disposes it once every hosted service has stopped — a service that audits a
/// last call in its own <c>StopAsync</c> still finds the trail open.
/// </summary>
internal sealed class AuditTrailHostedService(IServiceProvider services) : IHostedLifecycleService
{
    private IAuditTrail? _trail;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _trail = services.GetRequiredService<IAuditTrail>();
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Waits until every record appended so far is durable and queryable.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_trail is { } trail)
            await trail.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the trail (drains the writer, releases the lock). A faulted trail's error propagates.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        var trail = Interlocked.Exchange(ref _trail, null);
        if (trail is IAsyncDisposable asyncDisposable)
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        else if (trail is IDisposable disposable)
            disposable.Dispose();
    }
}
