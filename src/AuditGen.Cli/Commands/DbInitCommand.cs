using System.CommandLine;
using AuditGen.Cli.Output;
using AuditGen.PostgreSql;
using Npgsql;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen db init --postgres &lt;connection&gt; [--log ID]…</c>: for DBAs who create the PostgreSQL store by hand.
/// Creates or migrates the <c>auditgen</c> schema, the owner, application and retention roles, and the privileges that
/// leave the application SELECT and INSERT only (<see cref="PostgreSqlAuditSchema.InitializeAsync"/>). Idempotent.
/// </summary>
internal static class DbInitCommand
{
    public static Command Create(CliOutput io)
    {
        var postgres = new Option<string>("--postgres")
        {
            Description = "Connection to the database, as a superuser or a role with CREATEROLE that may create schemas: " +
                "Npgsql 'Host=…;Username=…;Database=…' or postgres://user:password@host:port/database.",
            Required = true,
        };
        var logs = new Option<string[]>("--log") { Description = "A log (chain) to register, e.g. one per tenant. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var defaults = new PostgreSqlAuditRoles();
        var owner = new Option<string>("--owner-role") { Description = "The role that owns the schema (NOLOGIN).", DefaultValueFactory = _ => defaults.Owner };
        var app = new Option<string>("--app-role") { Description = "The role applications run as: SELECT and INSERT only (NOLOGIN; grant it to your service's login).", DefaultValueFactory = _ => defaults.App };
        var retention = new Option<string>("--retention-role") { Description = "The role a retention job runs as (NOLOGIN).", DefaultValueFactory = _ => defaults.Retention };
        var init = new Command("init", "Create or migrate the PostgreSQL store's schema, roles and privileges (idempotent). Exit 0: done; 2: bad arguments; 3: the database refused.")
        {
            postgres, logs, owner, app, retention,
        };
        init.SetAction((parseResult, cancellationToken) => RunAsync(io, parseResult.GetRequiredValue(postgres), parseResult.GetValue(logs) ?? [],
            new PostgreSqlAuditRoles(parseResult.GetRequiredValue(owner), parseResult.GetRequiredValue(app), parseResult.GetRequiredValue(retention)),
            cancellationToken));
        return new Command("db", "Administer a database-backed store.") { init };
    }

    private static async Task<int> RunAsync(CliOutput io, string connection, string[] logs, PostgreSqlAuditRoles roles, CancellationToken cancellationToken)
    {
        PostgreSqlAuditSchemaReport report;
        try
        {
            report = await PostgreSqlAuditSchema.InitializeAsync(connection, roles, logs, cancellationToken);
        }
        catch (ArgumentException e)
        {
            io.Fail(OneLine(e.Message));
            return ExitCodes.UsageError;
        }
        catch (Exception e) when (e is NpgsqlException or AuditTrailException or IOException or TimeoutException)
        {
            io.Fail($"the database refused the initialization: {OneLine(e.Message)}");
            return ExitCodes.TrailUnavailable;
        }

        var change = report.VersionBefore == report.Version ? "already current"
            : report.VersionBefore == 0 ? "created" : $"migrated from version {report.VersionBefore}";
        io.Out.WriteLine($"Schema: auditgen, version {report.Version} ({change})");
        io.Out.WriteLine($"Owner role: {roles.Owner} (owns the schema; only it or a superuser can disable the triggers)");
        io.Out.WriteLine($"Application role: {roles.App} (SELECT and INSERT on records; UPDATE, DELETE, TRUNCATE revoked)");
        io.Out.WriteLine($"Retention role: {roles.Retention} (appends, records archive segments, executes auditgen.prune_archived_records)");
        foreach (var log in report.Logs)
            io.Out.WriteLine($"Log registered: {log}");
        io.Out.WriteLine($"Next: GRANT {roles.App} TO <your service's login role>; the application connects as that login.");
        return ExitCodes.Success;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
