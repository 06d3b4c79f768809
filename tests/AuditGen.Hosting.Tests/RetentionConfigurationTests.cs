using AuditGen.Retention;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AuditGen.Hosting.Tests;

public sealed class RetentionConfigurationTests : IDisposable
{
    private readonly HostedTrail _folder = new();

    public void Dispose() => _folder.Dispose();

    private IHost WithRetention(Dictionary<string, string?> retention)
    {
        var settings = new Dictionary<string, string?> { ["AuditTrail:LiteDbPath"] = _folder.DbPath };
        foreach (var (key, value) in retention)
            settings["AuditTrail:Retention:" + key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return HostedTrail.Build(services => services.AddAuditTrail(configuration.GetSection("AuditTrail")));
    }

    [Fact]
    public async Task The_retention_block_sets_custom_policies_domain_mappings_and_periods()
    {
        using var host = WithRetention(new()
        {
            ["Policies:state-medical:Retention"] = "P10Y",
            ["Policies:state-medical:Hot"] = "P6M",
            ["Domains:hipaa"] = "state-medical",
            ["GdprRetention"] = "P2Y",
            ["EuAiActRetention"] = "P1Y",
        });

        await host.StartAsync();
        var set = RetentionPolicySet.Create(host.Services.GetRequiredService<IOptions<AuditTrailOptions>>().Value.Retention);

        Assert.Equal(new RetentionPolicy("state-medical", RetentionPeriod.FromYears(10), RetentionPeriod.FromMonths(6)), set.PolicyOf(ComplianceDomain.Hipaa));
        Assert.Equal("P2Y", set.PolicyOf(ComplianceDomain.Gdpr).Retention.ToString());
        Assert.Equal("P1Y", set.PolicyOf(ComplianceDomain.EuAiAct).Retention.ToString());
        await host.StopAsync();
    }

    [Fact]
    public async Task An_unknown_policy_name_fails_the_start_naming_it_and_listing_the_known_ones()
    {
        using var host = WithRetention(new() { ["Domains:financial"] = "sox-7y" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("The domain 'financial' is mapped to the unknown retention policy 'sox-7y'. Known policies: default, eu-ai-act, financial, gdpr, hipaa, pci, soc2.", error.Message);
    }

    [Fact]
    public async Task An_eu_ai_act_period_below_six_months_fails_the_start()
    {
        using var host = WithRetention(new() { ["EuAiActRetention"] = "P3M" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("EuAiActRetention P3M is below the EU AI Act's minimum of 6 months", error.Message);
    }

    [Fact]
    public async Task Unknown_retention_keys_domains_and_bad_periods_fail_the_start_naming_the_full_key()
    {
        using var host = WithRetention(new()
        {
            ["GdprRetnetion"] = "P1Y",
            ["Domains:hippa"] = "hipaa",
            ["Policies:legal:Retention"] = "10 years",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Unknown retention setting 'AuditTrail:Retention:GdprRetnetion'", error.Message);
        Assert.Contains("'AuditTrail:Retention:Domains:hippa' names the unknown compliance domain 'hippa'", error.Message);
        Assert.Contains("'AuditTrail:Retention:Policies:legal:Retention' is '10 years', which is not a retention period", error.Message);
    }

    [Fact]
    public async Task Retention_set_in_code_is_checked_at_start_too()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AuditTrail:LiteDbPath"] = _folder.DbPath }).Build();
        using var host = HostedTrail.Build(services => services.AddAuditTrail(configuration.GetSection("AuditTrail"),
            o => o.Configure(options => options.Retention = new RetentionOptions { DefaultPolicy = "forever" })));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("The default retention policy 'forever' is unknown.", error.Message);
    }
}
