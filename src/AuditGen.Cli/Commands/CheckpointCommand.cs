using System.CommandLine;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen checkpoint &lt;trail&gt; --signing-key FILE [--export DIR] [--origin O]</c>: signs a checkpoint of the trail
/// now (as the trail's writer: it takes the write lock), records it and prints the signed note.
/// </summary>
internal static class CheckpointCommand
{
    public static Command Create(CliOutput io)
    {
        var target = new TrailTargetOptions();
        var key = new Option<string>("--signing-key") { Description = "File holding the signer key (from 'auditgen keys generate').", HelpName = "file", Required = true };
        var export = new Option<string?>("--export") { Description = "Also write the checkpoint to this folder ('checkpoint' and 'checkpoint-<size>').", HelpName = "dir" };
        var origin = new Option<string?>("--origin") { Description = "The checkpoint's origin line (default: the key's name).", HelpName = "origin" };
        var command = new Command("checkpoint",
            "Sign a checkpoint of the trail now and print it. Exit 0: signed; 3: missing, unreadable or locked; 4: unusable key.")
        {
            key, export, origin,
        };
        target.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => RunAsync(io, target.Resolve(parseResult),
            parseResult.GetRequiredValue(key), parseResult.GetValue(export), parseResult.GetValue(origin), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliOutput io, TrailTarget target, string keyPath, string? export, string? origin, CancellationToken cancellationToken)
    {
        NoteSigner signer;
        try
        {
            signer = NoteSigner.Load(keyPath);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            io.Fail($"--signing-key {keyPath}: {e.Message}");
            return ExitCodes.CheckpointInvalid;
        }

        SignedCheckpoint signed;
        try
        {
            var options = new AuditTrailOptions
            {
                Checkpoints = new CheckpointOptions { Signer = signer, Origin = origin, ExportDirectory = export, EveryRecords = 0, Interval = null },
            };
            await using var trail = await target.OpenForWritingAsync(options, cancellationToken);
            signed = await trail.CheckpointAsync(cancellationToken);
        }
        catch (Exception exception) when (target.Describe(exception) is { } message)
        {
            io.Fail(message);
            return ExitCodes.TrailUnavailable;
        }

        io.Out.Write(signed.NoteText);
        if (export is not null)
            io.Error.WriteLine($"auditgen: exported to {Path.Combine(export, "checkpoint")}");
        return ExitCodes.Success;
    }
}
