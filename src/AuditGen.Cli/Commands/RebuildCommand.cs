using System.CommandLine;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen rebuild &lt;trail&gt;</c>: rebuilds a damaged or lost LiteDB query store from the trail's journal
/// (<see cref="AuditTrail.RebuildQueryStore"/>). The damaged store is moved aside, never deleted.
/// </summary>
internal static class RebuildCommand
{
    public static Command Create(CliOutput io)
    {
        var trailArgument = TrailArgument.Create();
        var command = new Command("rebuild",
            "Rebuild a trail's query store (the LiteDB file) from its verified journal. Exit 0: rebuilt; 3: missing, corrupt journal or locked.")
        {
            trailArgument,
        };
        command.SetAction((parseResult, _) => Task.FromResult(Run(io, parseResult.GetRequiredValue(trailArgument))));
        return command;
    }

    private static int Run(CliOutput io, string path)
    {
        RebuildResult result;
        try
        {
            if (Directory.Exists(path))
                throw new TrailUnavailableException($"{path} is a directory, not a trail file");
            if (!File.Exists(path) && !File.Exists(path + ".journal"))
                throw new TrailUnavailableException($"trail not found: {path}");
            result = AuditTrail.RebuildQueryStore(path);
        }
        catch (Exception exception) when (TrailFile.Describe(exception, path) is { } message)
        {
            io.Fail(message);
            return ExitCodes.TrailUnavailable;
        }

        io.Out.WriteLine($"Trail: {path}");
        io.Out.WriteLine($"Records indexed: {result.RecordsIndexed.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        io.Out.WriteLine(result.DamagedStoreMovedTo is { } movedTo
            ? $"Damaged store moved to: {movedTo}"
            : "Damaged store moved to: (none: there was no query store file)");
        if (result.TornTailIgnored)
            io.Out.WriteLine("Torn tail: the journal's final group commit was incomplete (never acknowledged) and was not indexed.");
        return ExitCodes.Success;
    }
}
