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

    [Fact]
    public void A_bad_log_id_is_refused_when_the_store_is_configured()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddAuditTrail(o => o.UsePostgreSql("Host=127.0.0.1", "")));

        Assert.Equal("logId", error.ParamName);
    }
}
