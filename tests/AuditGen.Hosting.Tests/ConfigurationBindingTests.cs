using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AuditGen.Hosting.Tests;

public sealed class ConfigurationBindingTests : IDisposable
{
    private readonly HostedTrail _folder = new();

    public void Dispose() => _folder.Dispose();

    private static IHost WithTrail(Dictionary<string, string?> settings, Action<AuditTrailBuilder>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return HostedTrail.Build(services =>
        {
            services.AddAuditTrail(configuration.GetSection("AuditTrail"), configure);
            services.AddAuditedTools<RosterTools, AuditedRosterTools>();
        });
    }

    [Fact]
    public async Task The_section_sets_the_store_path_the_policy_and_the_key()
    {
        using var host = WithTrail(new()
        {
            ["AuditTrail:LiteDbPath"] = _folder.DbPath,
            ["AuditTrail:FailurePolicy"] = "failclosed",
            ["AuditTrail:HmacKey"] = Convert.ToBase64String(HostedTrail.Key()),
            ["AuditTrail:HmacKeyId"] = "7",
        });

        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<AuditTrailOptions>>().Value;

        Assert.Equal(AuditFailurePolicy.FailClosed, options.FailurePolicy);
        Assert.Equal(HostedTrail.Key(), options.HmacKey);
        Assert.Equal(7, options.HmacKeyId);
        Assert.True(File.Exists(_folder.DbPath));
        await host.StopAsync();
    }

    [Fact]
    public async Task Code_wins_over_the_section()
    {
        using var host = WithTrail(
            new() { ["AuditTrail:LiteDbPath"] = _folder.DbPath, ["AuditTrail:FailurePolicy"] = "FailOpen" },
            o => o.UseFailurePolicy(AuditFailurePolicy.FailClosed));

        await host.StartAsync();

        Assert.Equal(AuditFailurePolicy.FailClosed, host.Services.GetRequiredService<IOptions<AuditTrailOptions>>().Value.FailurePolicy);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("FailShut")]
    [InlineData("7")]
    [InlineData("FailOpen,FailClosed")]
    public async Task An_unknown_failure_policy_fails_the_start_naming_the_key_and_the_choices(string policy)
    {
        using var host = WithTrail(new() { ["AuditTrail:LiteDbPath"] = _folder.DbPath, ["AuditTrail:FailurePolicy"] = policy });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"'AuditTrail:FailurePolicy' is '{policy}', which is not a failure policy. Use one of: Default, FailClosed, FailOpen.", error.Message);
    }

    [Fact]
    public async Task A_key_that_is_not_base64_fails_the_start_without_echoing_it()
    {
        using var host = WithTrail(new() { ["AuditTrail:LiteDbPath"] = _folder.DbPath, ["AuditTrail:HmacKey"] = "not base64 secret!" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'AuditTrail:HmacKey' is not valid base64", error.Message);
        Assert.DoesNotContain("not base64 secret!", error.Message);
    }

    [Fact]
    public async Task An_unknown_setting_fails_the_start_so_a_typo_is_not_ignored()
    {
        using var host = WithTrail(new() { ["AuditTrail:LiteDbPath"] = _folder.DbPath, ["AuditTrail:FailurPolicy"] = "FailClosed" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Unknown audit trail setting 'AuditTrail:FailurPolicy'", error.Message);
    }

    [Fact]
    public async Task A_number_that_does_not_parse_fails_the_start_naming_the_key()
    {
        using var host = WithTrail(new() { ["AuditTrail:LiteDbPath"] = _folder.DbPath, ["AuditTrail:MaxBatchSize"] = "lots" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'AuditTrail:MaxBatchSize' is 'lots'; it must be a whole number of at least 1.", error.Message);
    }

    [Fact]
    public async Task The_section_sets_the_group_commit_linger()
    {
        using var host = WithTrail(new() { ["AuditTrail:LiteDbPath"] = _folder.DbPath, ["AuditTrail:GroupCommitLinger"] = "00:00:00.0005" });

        await host.StartAsync();

        Assert.Equal(TimeSpan.FromMicroseconds(500), host.Services.GetRequiredService<IOptions<AuditTrailOptions>>().Value.GroupCommitLinger);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_linger_that_is_not_a_short_duration_fails_the_start_naming_the_key()
    {
        using var host = WithTrail(new() { ["AuditTrail:LiteDbPath"] = _folder.DbPath, ["AuditTrail:GroupCommitLinger"] = "00:00:01" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'AuditTrail:GroupCommitLinger' is '00:00:01'; it must be a duration such as 00:00:00.0002", error.Message);
    }

    [Fact]
    public async Task A_path_in_the_section_and_another_in_code_fails_the_start()
    {
        using var host = WithTrail(new() { ["AuditTrail:LiteDbPath"] = _folder.DbPath }, o => o.UseLiteDb(Path.Combine(_folder.Folder, "other.db")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("The store is set twice", error.Message);
    }
}
