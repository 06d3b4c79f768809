using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AuditGen.Hosting.Tests;

public sealed class StartupValidationTests : IDisposable
{
    private readonly HostedTrail _folder = new();

    public void Dispose() => _folder.Dispose();

    private static async Task<OptionsValidationException> StartFails(IHost host)
    {
        using (host)
            return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    private static IHost RosterHost(Action<AuditTrailBuilder> configure, IEnumerable<KeyValuePair<string, string?>>? configuration = null) =>
        HostedTrail.Build(services =>
        {
            services.AddAuditTrail(configure);
            services.AddAuditedTools<RosterTools, AuditedRosterTools>();
        }, configuration);

    [Fact]
    public async Task A_missing_directory_fails_the_start_naming_it_and_creates_nothing()
    {
        var missing = Path.Combine(_folder.Folder, "no-such-dir");

        var error = await StartFails(RosterHost(o => o.UseLiteDb(Path.Combine(missing, "audit.db"))));

        Assert.Contains($"The directory '{missing}' of the audit trail", error.Message);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task A_path_that_is_a_directory_fails_the_start_with_the_file_to_use()
    {
        var error = await StartFails(RosterHost(o => o.UseLiteDb(_folder.Folder)));

        Assert.Contains("is a directory", error.Message);
        Assert.Contains(Path.Combine(_folder.Folder, "audit.db"), error.Message);
    }

    [Fact]
    public async Task No_store_fails_the_start_saying_what_to_call()
    {
        var error = await StartFails(RosterHost(o => o.UseFailurePolicy(AuditFailurePolicy.FailClosed)));

        Assert.Contains("No audit store is configured: call UseLiteDb(path) or UseStore(...)", error.Message);
    }

    [Fact]
    public async Task A_short_hmac_key_fails_the_start_with_its_length()
    {
        var error = await StartFails(RosterHost(o => o.UseLiteDb(_folder.DbPath).UseHmacKey(HostedTrail.Key(16))));

        Assert.Contains("HmacKey has 16 bytes; an HMAC key needs at least 32", error.Message);
    }

    [Fact]
    public async Task A_registered_tool_that_pseudonymises_with_hmac_needs_a_key_and_is_named()
    {
        using var host = HostedTrail.Build(services =>
        {
            services.AddSingleton<WardDirectory>();
            services.AddAuditTrail(o => o.UseLiteDb(_folder.DbPath));
            services.AddAuditedTools<WardTools, AuditedWardTools>();
        });

        var error = await StartFails(host);

        Assert.Contains("No HmacKey is set, but the registered tools 'find_ward' pseudonymise values with HMAC", error.Message);
    }

    [Fact]
    public async Task Tools_that_do_not_pseudonymise_need_no_key()
    {
        using var host = RosterHost(o => o.UseLiteDb(_folder.DbPath));

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task RequireHmacKey_fails_the_start_without_a_key()
    {
        var error = await StartFails(RosterHost(o => o.UseLiteDb(_folder.DbPath).RequireHmacKey()));

        Assert.Contains("RequireHmacKey()", error.Message);
    }

    [Fact]
    public async Task An_undefined_failure_policy_set_in_code_fails_the_start()
    {
        var error = await StartFails(RosterHost(o => o.UseLiteDb(_folder.DbPath).UseFailurePolicy((AuditFailurePolicy)42)));

        Assert.Contains("FailurePolicy 42 is not a failure policy", error.Message);
    }

    [Fact]
    public async Task A_locked_trail_fails_the_start_naming_the_lock()
    {
        await using var other = AuditTrail.OpenLiteDb(_folder.DbPath);

        using var host = RosterHost(o => o.UseLiteDb(_folder.DbPath));
        var error = await Assert.ThrowsAsync<AuditTrailLockedException>(() => host.StartAsync());

        Assert.Contains(".lock", error.Message);
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        var error = await StartFails(RosterHost(
            o => o.UseLiteDb(Path.Combine(_folder.Folder, "missing", "audit.db")).UseHmacKey(HostedTrail.Key(8)).Configure(x => x.MaxBatchSize = 0)));

        Assert.Equal(3, error.Failures.Count());
    }
}
