using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AuditGen.Hosting;

/// <summary>
/// Configures the trail that <c>services.AddAuditTrail(o => …)</c> registers: its store (<see cref="UseLiteDb"/>, or
/// any store through <see cref="UseStore"/>), its options, and optionally a configuration section. Everything is
/// checked when the host starts; every problem found is reported at once.
/// </summary>
/// <example><code>
/// services.AddAuditTrail(o => o
///     .UseLiteDb("/var/lib/clinic/audit.db")
///     .UseHmacKey(key)
///     .UseFailurePolicy(AuditFailurePolicy.FailClosed));
/// services.AddAuditedTools&lt;PatientTools, AuditedPatientTools&gt;();
/// </code></example>
public sealed class AuditTrailBuilder
{
    private readonly List<Action<IServiceProvider, AuditTrailOptions>> _configure = [];

    internal AuditTrailBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection the trail is registered in (for store extensions that register services of their own).</summary>
    public IServiceCollection Services { get; }

    /// <summary>Opens the chosen store, or <see langword="null"/> when none was chosen.</summary>
    internal Func<IServiceProvider, AuditTrailOptions, IAuditTrail>? Open { get; private set; }

    /// <summary>What the store is, for messages.</summary>
    internal string? StoreDescription { get; private set; }

    /// <summary>The LiteDB path, when the store is LiteDB.</summary>
    internal string? LiteDbPath { get; private set; }

    /// <summary>The configuration section bound with <see cref="BindConfiguration"/>.</summary>
    internal IConfiguration? Configuration { get; private set; }

    /// <summary>Whether an HMAC key is required whatever the registered tools need.</summary>
    internal bool HmacKeyRequired { get; private set; }

    /// <summary>Problems found while configuring (reported at start with the rest).</summary>
    internal List<string> Problems { get; } = [];

    internal IReadOnlyList<Action<IServiceProvider, AuditTrailOptions>> ConfigureActions => _configure;

    /// <summary>
    /// Stores the trail in the LiteDB file at <paramref name="path"/> with its journal and lock beside it (see
    /// <see cref="AuditTrail.OpenLiteDb(string, AuditTrailOptions?)"/>). The file's directory must exist when the host starts.
    /// </summary>
    public AuditTrailBuilder UseLiteDb(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SetStore((_, options) => AuditTrail.OpenLiteDb(path, options), $"LiteDB at '{path}'");
        LiteDbPath = path;
        return this;
    }

    /// <summary>
    /// Uses any store: <paramref name="open"/> is called once, when the trail is first needed (at host start), with
    /// the validated options, and must return an open trail. Store packages add their own <c>UseX(…)</c> on top of it.
    /// </summary>
    /// <remarks>
    /// The trail is flushed when the host stops and disposed (<see cref="IAsyncDisposable"/> first, else
    /// <see cref="IDisposable"/>) once every hosted service has stopped. The service provider may dispose it again
    /// when it is itself disposed: as .NET's dispose contract requires, a second dispose must do nothing.
    /// </remarks>
    public AuditTrailBuilder UseStore(Func<IServiceProvider, AuditTrailOptions, IAuditTrail> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        SetStore(open, "a custom store");
        LiteDbPath = null;
        return this;
    }

    /// <summary>Sets options in code (applied after the configuration section, so code wins).</summary>
    public AuditTrailBuilder Configure(Action<AuditTrailOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure.Add((_, options) => configure(options));
        return this;
    }

    /// <summary>Sets options in code from services (applied after the configuration section, so code wins).</summary>
    public AuditTrailBuilder Configure(Action<IServiceProvider, AuditTrailOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure.Add(configure);
        return this;
    }

    /// <summary>Sets <see cref="AuditTrailOptions.FailurePolicy"/>.</summary>
    public AuditTrailBuilder UseFailurePolicy(AuditFailurePolicy policy) => Configure(o => o.FailurePolicy = policy);

    /// <summary>Sets the HMAC key (at least 32 secret bytes) and its id, and requires it at start.</summary>
    public AuditTrailBuilder UseHmacKey(byte[] key, int keyId = 1)
    {
        ArgumentNullException.ThrowIfNull(key);
        var copy = key.ToArray();
        HmacKeyRequired = true;
        return Configure(o =>
        {
            o.HmacKey = copy;
            o.HmacKeyId = keyId;
        });
    }

    /// <summary>
    /// Sets the commitment key of <see cref="AuditTrailOptions.Erasure"/> (at least 32 secret bytes): the trail then
    /// keeps <see cref="RedactionStrategy.Seal"/>ed values in its vault and can erase data subjects.
    /// </summary>
    public AuditTrailBuilder UseCommitmentKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var copy = key.ToArray();
        return Configure(o => (o.Erasure ??= new Erasure.ErasureOptions()).CommitmentKey = copy);
    }

    /// <summary>
    /// Sets <see cref="Erasure.ErasureOptions.VaultDirectory"/>: the folder of the vault (subject keys and sealed
    /// payloads), outside the store. Required for a PostgreSQL trail that seals; optional for LiteDB (default beside the
    /// database). Needs <see cref="UseCommitmentKey"/> too.
    /// </summary>
    public AuditTrailBuilder UseVaultDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return Configure(o => (o.Erasure ??= new Erasure.ErasureOptions()).VaultDirectory = directory);
    }

    /// <summary>
    /// Fails the start when no HMAC key is configured, even if no registered tool needs one (for tools wired up
    /// without <c>AddAuditedTools</c>). Registered audited tools that pseudonymise with HMAC require it anyway.
    /// </summary>
    public AuditTrailBuilder RequireHmacKey()
    {
        HmacKeyRequired = true;
        return this;
    }

    /// <summary>
    /// Reads settings from <paramref name="section"/> (for example <c>configuration.GetSection("AuditTrail")</c>):
    /// <c>LiteDbPath</c>, <c>FailurePolicy</c> (<c>FailClosed</c>, <c>FailOpen</c> or <c>Default</c>), <c>HmacKey</c>
    /// (base64, at least 32 bytes), <c>HmacKeyId</c>, <c>CommitmentKey</c> (base64, at least 32 bytes: turns on sealing and
    /// erasure), <c>MaxBatchSize</c>, <c>QueueCapacity</c>,
    /// <c>MaxCapturedValueLength</c>, <c>GroupCommitLinger</c> (a duration such as <c>00:00:00.0002</c>). An unknown key or a value that does not parse fails the start, naming the key.
    /// </summary>
    public AuditTrailBuilder BindConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        Configuration = section;
        return this;
    }

    /// <summary>After the user's callback: a LiteDB path from configuration becomes the store when code chose none.</summary>
    internal void Complete()
    {
        if (Configuration is null)
            return;
        var configuredPath = Configuration[AuditTrailConfiguration.LiteDbPathKey];
        if (string.IsNullOrWhiteSpace(configuredPath))
            return;
        if (Open is null)
        {
            UseLiteDb(configuredPath);
        }
        else if (LiteDbPath != configuredPath)
        {
            Problems.Add($"The store is set twice: in code ({StoreDescription}) and by '{AuditTrailConfiguration.Describe(Configuration, AuditTrailConfiguration.LiteDbPathKey)}' = '{configuredPath}'. Remove one.");
        }
    }

    private void SetStore(Func<IServiceProvider, AuditTrailOptions, IAuditTrail> open, string description)
    {
        if (Open is not null)
            throw new InvalidOperationException($"The audit trail's store is already set ({StoreDescription}); choose one store.");
        Open = open;
        StoreDescription = description;
    }
}
