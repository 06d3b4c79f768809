using Spectre.Console;

namespace AuditGen.Cli.Output;

/// <summary>
/// The writers a command reports through: a Spectre console over the output writer for people, the raw writer for
/// JSON, and the error writer for one-line failures. ANSI escapes only reach a real, non-redirected terminal.
/// </summary>
internal sealed class CliOutput
{
    /// <summary>Width used when the output is not a terminal, so tables are not squeezed to 80 columns.</summary>
    private const int NonInteractiveWidth = 240;

    private readonly Lazy<IAnsiConsole> _console;

    public CliOutput(TextWriter output, TextWriter error)
    {
        Out = output;
        Error = error;
        _console = new Lazy<IAnsiConsole>(() => CreateConsole(output));
    }

    /// <summary>The raw output writer (JSON goes here).</summary>
    public TextWriter Out { get; }

    /// <summary>The error writer.</summary>
    public TextWriter Error { get; }

    /// <summary>The console for human-readable output.</summary>
    public IAnsiConsole Console => _console.Value;

    /// <summary>Writes a one-line failure message to the error writer.</summary>
    public void Fail(string message) => Error.WriteLine($"auditgen: {message}");

    private static IAnsiConsole CreateConsole(TextWriter writer)
    {
        var isTerminal = ReferenceEquals(writer, System.Console.Out) && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
            Enrichment = new ProfileEnrichment { UseDefaultEnrichers = isTerminal },
        });
        if (!isTerminal)
            console.Profile.Width = NonInteractiveWidth;
        return console;
    }
}
