using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AuditGen.Hosting.Tests;

public sealed class ErasureStartupTests : IDisposable
{
    private readonly HostedTrail _folder = new();

    public void Dispose() => _folder.Dispose();

    private static IHost NoteHost(Action<AuditTrailBuilder> configure, IEnumerable<KeyValuePair<string, string?>>? configuration = null) =>
        HostedTrail.Build(services =>
        {
            services.AddAuditTrail(configure);
            services.AddAuditedTools<NoteTools, AuditedNoteTools>();
        }, configuration);

    // A host whose trail comes from the "AuditTrail" section of these settings, with the sealing note tool registered.
    private static IHost ConfiguredNoteHost(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return HostedTrail.Build(services =>
        {
            services.AddAuditTrail(configuration.GetSection("AuditTrail"));
            services.AddAuditedTools<NoteTools, AuditedNoteTools>();
        });
    }

    [Fact]
    public async Task A_registered_sealing_tool_without_a_commitment_key_fails_the_start_naming_the_tool()
    {
        using var host = NoteHost(o => o.UseLiteDb(_folder.DbPath));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'record_note' seal values", error.Message, StringComparison.Ordinal);
        Assert.Contains("UseCommitmentKey", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.DbPath));
    }

    [Fact]
    public async Task A_short_commitment_key_fails_the_start_with_its_length()
    {
        using var host = NoteHost(o => o.UseLiteDb(_folder.DbPath).UseCommitmentKey(HostedTrail.Key(20)));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Erasure.CommitmentKey has 20 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_commitment_key_from_configuration_lets_the_sealing_tool_run_and_its_note_read_back()
    {
        using var host = ConfiguredNoteHost(new Dictionary<string, string?>
        {
            ["AuditTrail:LiteDbPath"] = _folder.DbPath,
            ["AuditTrail:CommitmentKey"] = Convert.ToBase64String(HostedTrail.Key()),
        });
        await host.StartAsync();
        host.Services.GetRequiredService<AuditedNoteTools>().RecordNote("patient-3", "private note");
        var trail = (LiteDbAuditTrail)host.Services.GetRequiredService<IAuditTrail>();
        await trail.FlushAsync();

        AuditRecord? invoked = null;
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.ToolInvoked }))
            invoked = record;
        Assert.Equal("\"private note\"", (await trail.ReadSealedAsync(invoked!)).Values.Single().Json);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_vault_directory_from_configuration_is_where_the_sealed_note_is_kept()
    {
        var vault = Path.Combine(_folder.Folder, "vault-elsewhere");
        using var host = ConfiguredNoteHost(new Dictionary<string, string?>
        {
            ["AuditTrail:LiteDbPath"] = _folder.DbPath,
            ["AuditTrail:CommitmentKey"] = Convert.ToBase64String(HostedTrail.Key()),
            ["AuditTrail:VaultDirectory"] = vault,
        });
        await host.StartAsync();
        host.Services.GetRequiredService<AuditedNoteTools>().RecordNote("patient-3", "private note");
        await host.Services.GetRequiredService<IAuditTrail>().FlushAsync();
        await host.StopAsync();

        Assert.True(File.Exists(Path.Combine(vault, "keys")));
        Assert.False(Directory.Exists(_folder.DbPath + ".vault"));
    }
}
