using System.CommandLine;

namespace AuditGen.Cli.Commands;

/// <summary>The positional trail path every command takes.</summary>
internal static class TrailArgument
{
    public static Argument<string> Create()
    {
        var argument = new Argument<string>("trail")
        {
            Description = "Path of the trail's LiteDB file: the path the trail was opened with (e.g. audit.db).",
        };
        argument.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
                result.AddError("The trail path must not be empty.");
        });
        return argument;
    }
}
