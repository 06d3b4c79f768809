using HealthcareAgent;

// Usage: dotnet run --project samples/HealthcareAgent [-- path/to/audit.db]
//        dotnet run --project samples/HealthcareAgent -- --store postgres://user:password@host:5432/database [--log ID]
// AUDITGEN_STORE (a path or a postgres:// URI) and AUDITGEN_LOG do the same through the environment.
string? store = null, logId = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "--store" or "--log" && i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"error: {args[i]} needs a value");
        return HealthcareAgentApp.SetupFailed;
    }
    if (args[i] == "--store") store = args[++i];
    else if (args[i] == "--log") logId = args[++i];
    else store = args[i];
}
store ??= Environment.GetEnvironmentVariable("AUDITGEN_STORE") is { Length: > 0 } fromEnvironment ? fromEnvironment : "audit.db";
logId ??= Environment.GetEnvironmentVariable("AUDITGEN_LOG") is { Length: > 0 } logFromEnvironment ? logFromEnvironment : "healthcare-agent";

var isPostgres = store.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
    || store.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
    || store.Contains("Host=", StringComparison.OrdinalIgnoreCase);
return isPostgres
    ? await HealthcareAgentApp.RunOnPostgreSqlAsync(store, logId, Console.Out)
    : await HealthcareAgentApp.RunAsync(store, Console.Out);
