using System.Diagnostics;
using System.Reflection;

namespace AuditGen.Tests.Support;

/// <summary>Runs tests/AuditGen.CrashWriter (built with the test project) as a child process.</summary>
internal static class CrashWriterProcess
{
    public static string DllPath
    {
        get
        {
            var path = typeof(CrashWriterProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "CrashWriterPath").Value!;
            Assert.True(File.Exists(path), $"The crash writer was not built at {path}.");
            return path;
        }
    }

    public static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the crash writer.");
    }
}
