using HealthcareAgent;

// Usage: dotnet run --project samples/HealthcareAgent [-- path/to/audit.db]
var dbPath = args.Length > 0 ? args[0] : "audit.db";
return await HealthcareAgentApp.RunAsync(dbPath, Console.Out);
