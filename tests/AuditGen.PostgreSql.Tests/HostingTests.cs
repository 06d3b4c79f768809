using AuditGen.Hosting;
using AuditGen.PostgreSql.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AuditGen.PostgreSql.Tests;

/// <summary><c>services.AddAuditTrail(o => o.UsePostgreSql(connectionString, logId))</c> in a real generic host.</summary>
[RequiresPostgres]
public sealed class HostingTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [StoreFact]
    public async Task A_host_configured_with_UsePostgreSql_appends_to_that_log()
    {
        var logId = Appends.NewLogId("hosted");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAuditTrail(o => o.UsePostgreSql(database.ConnectionString, logId));
        AuditRecord appended;
        using (var host = builder.Build())
        {
            await host.StartAsync();
            appended = await host.Services.GetRequiredService<IAuditTrail>().AppendAsync(ConformanceEntries.ToolCall(0));
            await host.StopAsync();
        }

        var result = await Appends.VerifyAsync(database.ConnectionString, logId);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(appended.Hash, result.HeadHash);
    }

    [StoreFact]
    public async Task A_host_with_a_commitment_key_and_a_vault_directory_seals_into_that_vault_on_PostgreSQL()
    {
        var logId = Appends.NewLogId("hosted-seal");
        var vault = Directory.CreateTempSubdirectory("auditgen-pg-hosted-vault-").FullName;
        try
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddAuditTrail(o => o.UsePostgreSql(database.ConnectionString, logId)
                .UseHmacKey(ConformanceSealing.HmacKey).UseCommitmentKey(ConformanceSealing.CommitmentKey).UseVaultDirectory(vault));
            using var host = builder.Build();
            await host.StartAsync();
            var trail = (PostgreSqlAuditTrail)host.Services.GetRequiredService<IAuditTrail>();

            await ConformanceSealing.RecordNoteAsync(trail, "MRN-ALICE", "a hosted note", "a result");
            AuditRecord? first = null;
            await foreach (var record in trail.QueryAsync(new AuditQuery()))
                first ??= record;
            var read = await trail.ReadSealedAsync(first!);
            await host.StopAsync();

            Assert.Equal("\"a hosted note\"", Assert.Single(read.Values).Json);
            Assert.True(File.Exists(Path.Combine(vault, "keys")));
        }
        finally
        {
            Directory.Delete(vault, recursive: true);
        }
    }

    [Fact]
    public void A_bad_log_id_is_refused_when_the_store_is_configured()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddAuditTrail(o => o.UsePostgreSql("Host=127.0.0.1", "")));

        Assert.Equal("logId", error.ParamName);
    }
}
