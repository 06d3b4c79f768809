using System.Diagnostics.CodeAnalysis;
using AuditGen;
using AuditGen.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers an audit trail and audited tools in a service collection.</summary>
public static class AuditTrailServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="IAuditTrail"/> (a singleton), its <see cref="AuditTrailOptions"/> (as
    /// <see cref="IOptions{TOptions}"/>, validated when the host starts) and a hosted service that opens the trail at
    /// start, flushes it at stop and closes it once every hosted service has stopped.
    /// </summary>
    /// <remarks>
    /// Options come, in this order, from services (<see cref="TimeProvider"/>, <see cref="ILoggerFactory"/>,
    /// <see cref="IAuditAlertSink"/> when registered), the section given to <see cref="AuditTrailBuilder.BindConfiguration"/>,
    /// then code (<see cref="AuditTrailBuilder.Configure(Action{AuditTrailOptions})"/>): later wins.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A trail is already registered in <paramref name="services"/>.</exception>
    public static IServiceCollection AddAuditTrail(this IServiceCollection services, Action<AuditTrailBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(AuditTrailBuilder)))
            throw new InvalidOperationException("AddAuditTrail was already called on this service collection; it registers one trail.");

        var builder = new AuditTrailBuilder(services);
        configure(builder);
        builder.Complete();

        services.AddSingleton(builder);
        services.AddOptions<AuditTrailOptions>().ValidateOnStart();
        services.AddSingleton<IConfigureOptions<AuditTrailOptions>>(provider => new ConfigureOptions<AuditTrailOptions>(options => Configure(provider, builder, options)));
        services.AddSingleton<IValidateOptions<AuditTrailOptions>>(provider =>
            new AuditTrailOptionsValidator(builder, provider.GetServices<AuditedToolsRegistration>()));
        services.AddSingleton<IAuditTrail>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<AuditTrailOptions>>().Value;
            return builder.Open!(provider, options);
        });
        services.AddHostedService<AuditTrailHostedService>();
        return services;
    }

    /// <summary>
    /// Registers an audited trail configured from <paramref name="section"/> (see
    /// <see cref="AuditTrailBuilder.BindConfiguration"/>), then by <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddAuditTrail(this IServiceCollection services, IConfiguration section, Action<AuditTrailBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddAuditTrail(builder =>
        {
            builder.BindConfiguration(section);
            configure?.Invoke(builder);
        });
    }

    /// <summary>
    /// Registers <typeparamref name="TAudited"/>, the generated audited wrapper of <typeparamref name="TTools"/>,
    /// created without reflection over the registered <typeparamref name="TTools"/> and <see cref="IAuditTrail"/>. When
    /// <typeparamref name="TTools"/> is not registered yet it is registered too. The wrapper's tools take part in the
    /// start-up check (an HMAC key is required when one of them pseudonymises with HMAC).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="lifetime">The wrapper's lifetime; by default that of the existing <typeparamref name="TTools"/> registration, else scoped.</param>
    /// <example><c>services.AddAuditedTools&lt;PatientTools, AuditedPatientTools&gt;();</c> then inject <c>AuditedPatientTools</c>.</example>
    public static IServiceCollection AddAuditedTools<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TTools, TAudited>(
        this IServiceCollection services, ServiceLifetime? lifetime = null)
        where TTools : class
        where TAudited : class, IAuditedTools<TTools, TAudited>
    {
        ArgumentNullException.ThrowIfNull(services);
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(TTools));
        var wrapperLifetime = lifetime ?? existing?.Lifetime ?? ServiceLifetime.Scoped;
        if (existing is null)
            services.Add(ServiceDescriptor.Describe(typeof(TTools), typeof(TTools), wrapperLifetime));
        services.TryAdd(ServiceDescriptor.Describe(
            typeof(TAudited),
            provider => TAudited.Create(provider.GetRequiredService<TTools>(), provider.GetRequiredService<IAuditTrail>()),
            wrapperLifetime));
        if (!services.Any(d => d.ServiceType == typeof(AuditedToolsRegistration) && d.ImplementationInstance is AuditedToolsRegistration r && r.WrapperType == typeof(TAudited)))
            services.AddSingleton(new AuditedToolsRegistration(typeof(TAudited), TAudited.Tools));
        return services;
    }

    private static void Configure(IServiceProvider provider, AuditTrailBuilder builder, AuditTrailOptions options)
    {
        if (provider.GetService<TimeProvider>() is { } time)
            options.TimeProvider = time;
        options.LoggerFactory ??= provider.GetService<ILoggerFactory>();
        options.AlertSink ??= provider.GetService<IAuditAlertSink>();
        if (builder.Configuration is { } section)
            AuditTrailConfiguration.Apply(section, options); // its problems are reported by the validator
        foreach (var action in builder.ConfigureActions)
            action(provider, options);
    }
}
