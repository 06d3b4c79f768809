using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AuditGen.Hosting.Tests;

/// <summary>A real generic host in a temp folder, built from a service registration callback.</summary>
internal sealed class HostedTrail : IDisposable
{
    public HostedTrail() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "auditgen-hosting-" + Guid.NewGuid().ToString("N"));

    public string DbPath => Path.Combine(Folder, "audit.db");

    public static byte[] Key(int length = 32) => Enumerable.Range(0, length).Select(i => (byte)(i * 13 + 5)).ToArray();

    public static IHost Build(Action<IServiceCollection> register, IEnumerable<KeyValuePair<string, string?>>? configuration = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (configuration is not null)
            builder.Configuration.AddInMemoryCollection(configuration);
        register(builder.Services);
        return builder.Build();
    }

    public async Task<List<AuditRecord>> ReadBackAsync()
    {
        await using var trail = AuditTrail.OpenLiteDb(DbPath, new AuditTrailOptions { ReadOnly = true });
        var records = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(new AuditQuery()))
            records.Add(record);
        Assert.True((await trail.VerifyAsync()).IsValid);
        return records;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { /* a file still held by a failed test; temp is cleaned later */ }
    }
}
