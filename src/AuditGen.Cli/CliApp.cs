using System.CommandLine;
using AuditGen.Cli.Commands;
using AuditGen.Cli.Output;

namespace AuditGen.Cli;

/// <summary>The <c>auditgen</c> command line, callable in process so tests can capture its output and exit code.</summary>
public static class CliApp
{
    /// <summary>Parses <paramref name="args"/>, runs the command and returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="args">The command-line arguments, without the program name.</param>
    /// <param name="output">Where results are written. ANSI styling is used only when this is the real, non-redirected console.</param>
    /// <param name="error">Where usage errors and one-line failure messages are written.</param>
    /// <param name="cancellationToken">Cancels a running command.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var io = new CliOutput(output, error);
        var root = new RootCommand("auditgen: verify and query AuditGen audit trails.")
        {
            VerifyCommand.Create(io),
            QueryCommand.Create(io),
            RebuildCommand.Create(io),
            DbInitCommand.Create(io),
            ProofCommand.Create(io),
            CheckpointCommand.Create(io),
            ConsistencyCommand.Create(io),
            KeysCommand.Create(io),
            RetentionCommand.Create(io),
            HoldCommand.Create(io),
            ArchiveCommand.Create(io),
            StatsCommand.Create(io),
        };

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
                await error.WriteLineAsync($"auditgen: {parseError.Message}");
            await error.WriteLineAsync("Run 'auditgen --help' for usage.");
            return ExitCodes.UsageError;
        }

        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
        };
        return await parseResult.InvokeAsync(configuration, cancellationToken);
    }
}
