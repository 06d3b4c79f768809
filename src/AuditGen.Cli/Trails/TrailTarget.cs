using System.CommandLine;
using AuditGen.PostgreSql;
using Npgsql;

namespace AuditGen.Cli.Trails;

/// <summary>
/// Which trail a command works on: a LiteDB file (the positional path), or a PostgreSQL log (a positional
/// <c>postgres://…</c> URI, or <c>--postgres &lt;connection string&gt;</c>, with <c>--log &lt;id&gt;</c>).
/// </summary>
/// <param name="Display">How the trail is named in output: the path, or <c>postgres://host:port/database (log 'id')</c> without the password.</param>
/// <param name="Path">The LiteDB file, or null.</param>
/// <param name="ConnectionString">The PostgreSQL connection string, or null.</param>
/// <param name="LogId">The PostgreSQL log, or null.</param>
internal sealed record TrailTarget(string Display, string? Path, string? ConnectionString, string? LogId)
{
    /// <summary>Opens the trail for reading (never creates one).</summary>
    /// <exception cref="TrailUnavailableException">The trail is missing, not a trail, unreachable or unreadable.</exception>
    public async Task<InspectedTrail> OpenReadOnlyAsync(CancellationToken cancellationToken) =>
        Path is { } path
            ? new LiteDbInspectedTrail(TrailFile.OpenReadOnly(path))
            : await OpenPostgreSqlAsync(new AuditTrailOptions { ReadOnly = true }, cancellationToken);

    /// <summary>Opens the existing trail for writing with <paramref name="options"/>.</summary>
    /// <exception cref="TrailUnavailableException">The trail is missing, not a trail, locked, unreachable or unreadable.</exception>
    public async Task<InspectedTrail> OpenForWritingAsync(AuditTrailOptions options, CancellationToken cancellationToken)
    {
        if (Path is { } path)
            return new LiteDbInspectedTrail(TrailFile.OpenForWriting(path, options));
        // A checkpoint is signed for an existing log only: a typo in --log must not create a new, empty one.
        await using (var reader = await OpenPostgreSqlAsync(new AuditTrailOptions { ReadOnly = true }, cancellationToken)) { }
        return await OpenPostgreSqlAsync(options, cancellationToken);
    }

    private async Task<InspectedTrail> OpenPostgreSqlAsync(AuditTrailOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return new PostgreSqlInspectedTrail(await PostgreSqlAuditTrail.OpenAsync(ConnectionString!, LogId!, options, cancellationToken));
        }
        catch (ArgumentException e)
        {
            throw new TrailUnavailableException($"{Display}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>A one-line description of <paramref name="exception"/> when it means the trail cannot be used, or null (a bug).</summary>
    public string? Describe(Exception exception) => exception switch
    {
        NpgsqlException npgsql => $"{Display}: {npgsql.Message.ReplaceLineEndings(" ")}",
        _ => TrailFile.Describe(exception, Display),
    };
}

/// <summary>The trail argument and the PostgreSQL options of one command, and the rules between them.</summary>
internal sealed class TrailTargetOptions
{
    private readonly Argument<string?> _trail = new("trail")
    {
        Description = "The trail: its LiteDB file (e.g. audit.db), or a PostgreSQL URI postgres://user@host:port/database (with --log).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string?> _postgres = new("--postgres")
    {
        Description = "A PostgreSQL trail: Npgsql 'Host=…;Username=…;Database=…' or postgres://… (instead of a trail path; with --log).",
        HelpName = "connection",
    };

    private readonly Option<string?> _log = new("--log") { Description = "The PostgreSQL log (chain) to use, e.g. a tenant's log id.", HelpName = "id" };

    /// <summary>Adds the argument and options to <paramref name="command"/>, with their validation.</summary>
    public void AddTo(Command command)
    {
        command.Arguments.Add(_trail);
        command.Options.Add(_postgres);
        command.Options.Add(_log);
        command.Validators.Add(result =>
        {
            var trail = result.GetValue(_trail);
            var postgres = result.GetValue(_postgres);
            if (trail is not null && postgres is not null)
                result.AddError("Give either a trail path (or postgres:// URI) or --postgres, not both.");
            else if (trail is null && postgres is null)
                result.AddError("Name the trail: its LiteDB file, a postgres:// URI with --log, or --postgres <connection> --log <id>.");
            else if (trail is not null && string.IsNullOrWhiteSpace(trail))
                result.AddError("The trail path must not be empty.");
            var isPostgres = postgres is not null || IsPostgresUri(trail);
            var log = result.GetValue(_log);
            if (isPostgres && string.IsNullOrWhiteSpace(log))
                result.AddError("A PostgreSQL trail needs --log <id>: the log (chain) to use.");
            if (!isPostgres && log is not null)
                result.AddError("--log names a PostgreSQL log: use it with a postgres:// URI or --postgres.");
        });
    }

    /// <summary>The target the parsed command names (after validation).</summary>
    public TrailTarget Resolve(ParseResult result)
    {
        var trail = result.GetValue(_trail);
        var connection = result.GetValue(_postgres) ?? (IsPostgresUri(trail) ? trail : null);
        if (connection is null)
            return new TrailTarget(trail!, trail, null, null);
        var log = result.GetValue(_log)!;
        return new TrailTarget($"{Describe(connection)} (log '{log}')", null, connection, log);
    }

    private static bool IsPostgresUri(string? text) =>
        text is not null && (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase));

    // The server, never the password.
    private static string Describe(string connection)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(AuditGen.PostgreSql.Schema.PostgreSqlConnectionStrings.Normalize(connection));
            return $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
        }
        catch (ArgumentException)
        {
            return "postgres (invalid connection string)";
        }
    }
}
