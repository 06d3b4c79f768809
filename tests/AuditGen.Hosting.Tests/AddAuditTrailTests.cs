using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AuditGen.Hosting.Tests;

public sealed class AddAuditTrailTests : IDisposable
{
    private readonly HostedTrail _folder = new();

    public void Dispose() => _folder.Dispose();

    private IHost WardHost(Action<AuditTrailBuilder>? configure = null) => HostedTrail.Build(services =>
    {
        services.AddSingleton<WardDirectory>();
        services.AddAuditTrail(o =>
        {
            o.UseLiteDb(_folder.DbPath).UseHmacKey(HostedTrail.Key());
            configure?.Invoke(o);
        });
        services.AddAuditedTools<WardTools, AuditedWardTools>();
    });

    [Fact]
    public async Task An_injected_audited_tool_records_its_calls_on_the_registered_trail()
    {
        using var host = WardHost();
        await host.StartAsync();

        using (var scope = host.Services.CreateScope())
            Assert.Equal("cardiology", scope.ServiceProvider.GetRequiredService<AuditedWardTools>().FindWard("MRN-100237"));
        await host.StopAsync();

        var records = await _folder.ReadBackAsync();
        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], records.Select(r => r.Action));
        Assert.All(records, r => Assert.Equal("find_ward", r.ToolName));
        Assert.StartsWith("hmac:1:", records[0].SubjectId);
    }

    [Fact]
    public async Task The_trail_is_opened_when_the_host_starts_and_is_a_singleton()
    {
        using var host = WardHost();

        await host.StartAsync();

        Assert.True(File.Exists(_folder.DbPath + ".journal"));
        Assert.Same(host.Services.GetRequiredService<IAuditTrail>(), host.Services.GetRequiredService<IAuditTrail>());
        await host.StopAsync();
    }

    [Fact]
    public async Task Stopping_the_host_makes_fail_open_records_durable_and_releases_the_trail()
    {
        using var host = HostedTrail.Build(services =>
        {
            services.AddAuditTrail(o => o.UseLiteDb(_folder.DbPath).UseFailurePolicy(AuditFailurePolicy.FailOpen));
            services.AddAuditedTools<RosterTools, AuditedRosterTools>();
        });
        await host.StartAsync();
        using (var scope = host.Services.CreateScope())
        {
            var tools = scope.ServiceProvider.GetRequiredService<AuditedRosterTools>();
            for (var i = 0; i < 50; i++)
                tools.ListShifts("ward-" + i); // fail-open: the appends are not awaited
        }

        await host.StopAsync();

        // The write lock is free again: a new writer opens the trail and finds every record.
        await using (var reopened = AuditTrail.OpenLiteDb(_folder.DbPath))
            Assert.True((await reopened.VerifyAsync()).IsValid);
        Assert.Equal(100, (await _folder.ReadBackAsync()).Count);
    }

    [Fact]
    public async Task A_hosted_service_that_audits_while_stopping_still_finds_the_trail_open()
    {
        using var host = HostedTrail.Build(services =>
        {
            // Registered first, so it stops after the trail's own hosted service.
            services.AddHostedService<AuditsWhileStopping>();
            services.AddAuditTrail(o => o.UseLiteDb(_folder.DbPath));
            services.AddAuditedTools<RosterTools, AuditedRosterTools>(ServiceLifetime.Singleton);
        });
        await host.StartAsync();

        await host.StopAsync();

        Assert.Equal(2, (await _folder.ReadBackAsync()).Count(r => r.ToolName == "list_shifts"));
    }

    private sealed class AuditsWhileStopping(AuditedRosterTools tools) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tools.ListShifts("night");
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Options_take_the_registered_time_provider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 8, 30, 0, TimeSpan.Zero));
        using var host = HostedTrail.Build(services =>
        {
            services.AddSingleton<TimeProvider>(time);
            services.AddAuditTrail(o => o.UseLiteDb(_folder.DbPath));
            services.AddAuditedTools<RosterTools, AuditedRosterTools>();
        });
        await host.StartAsync();
        using (var scope = host.Services.CreateScope())
            scope.ServiceProvider.GetRequiredService<AuditedRosterTools>().ListShifts("north");
        await host.StopAsync();

        Assert.All(await _folder.ReadBackAsync(), r => Assert.Equal(time.GetUtcNow(), r.Timestamp));
    }

    [Fact]
    public async Task A_custom_store_is_opened_with_the_validated_options_then_flushed_and_disposed_when_the_host_stops()
    {
        CountingStore? store = null;
        using var host = HostedTrail.Build(services => services.AddAuditTrail(o => o
            .UseStore((_, options) => store = new CountingStore(options))
            .UseFailurePolicy(AuditFailurePolicy.FailClosed)));

        await host.StartAsync();
        Assert.NotNull(store);
        Assert.Equal(AuditFailurePolicy.FailClosed, store.Options.FailurePolicy);
        Assert.Empty(store.Calls);

        await host.StopAsync();

        Assert.Equal(["flush", "dispose"], store.Calls);
    }

    [Fact]
    public async Task The_generated_one_argument_AddAuditedTools_registers_the_wrapper_of_the_tool_type()
    {
        using var host = HostedTrail.Build(services =>
        {
            services.AddSingleton<WardDirectory>();
            services.AddAuditTrail(o => o.UseLiteDb(_folder.DbPath).UseHmacKey(HostedTrail.Key()));
            services.AddAuditedTools<WardTools>();
        });
        await host.StartAsync();

        using (var scope = host.Services.CreateScope())
            scope.ServiceProvider.GetRequiredService<AuditedWardTools>().FindWard("MRN-100237");
        await host.StopAsync();

        Assert.Equal(2, (await _folder.ReadBackAsync()).Count(r => r.ToolName == "find_ward"));
    }

    [Fact]
    public void The_generated_AddAuditedTools_refuses_a_type_without_a_generated_wrapper()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddAuditedTools<WardDirectory>());

        Assert.Contains("'AuditGen.Hosting.Tests.WardDirectory' has no generated audited wrapper in this assembly", error.Message);
    }

    [Fact]
    public void The_wrapper_takes_the_lifetime_of_the_tools_registration()
    {
        var services = new ServiceCollection();
        services.AddSingleton<WardDirectory>();
        services.AddSingleton<WardTools>();

        services.AddAuditedTools<WardTools, AuditedWardTools>();

        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == typeof(AuditedWardTools)).Lifetime);
    }

    [Fact]
    public void Tools_that_are_not_registered_are_registered_with_the_wrapper_scoped()
    {
        var services = new ServiceCollection();

        services.AddAuditedTools<RosterTools, AuditedRosterTools>();

        Assert.Equal(ServiceLifetime.Scoped, Assert.Single(services, d => d.ServiceType == typeof(RosterTools)).Lifetime);
        Assert.Equal(ServiceLifetime.Scoped, Assert.Single(services, d => d.ServiceType == typeof(AuditedRosterTools)).Lifetime);
    }

    [Fact]
    public void A_second_trail_in_the_same_services_is_refused()
    {
        var services = new ServiceCollection();
        services.AddAuditTrail(o => o.UseLiteDb(_folder.DbPath));

        var error = Assert.Throws<InvalidOperationException>(() => services.AddAuditTrail(o => o.UseLiteDb(_folder.DbPath)));

        Assert.Contains("already", error.Message);
    }

    [Fact]
    public void Choosing_two_stores_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddAuditTrail(o => o.UseLiteDb(_folder.DbPath).UseStore((_, options) => new CountingStore(options))));

        Assert.Contains("already set", error.Message);
    }

    [Fact]
    public async Task The_options_are_served_as_IOptions_with_the_configured_key()
    {
        using var host = WardHost();
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<AuditTrailOptions>>().Value;

        Assert.Equal(HostedTrail.Key(), options.HmacKey);
        Assert.Same(options, host.Services.GetRequiredService<IAuditTrail>().Options);
        await host.StopAsync();
    }
}
