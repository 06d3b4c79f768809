using System.CommandLine;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using AuditGen.Integrity.Checkpoints;
using Spectre.Console;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen verify &lt;trail&gt; [--checkpoint FILE [--key PUBKEY]] [--archive FOLDER] [--json]</c>: re-hashes every record and reports the
/// first broken one; with a signed checkpoint, also whether the trail still holds exactly what it committed to.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliOutput io)
    {
        var target = new TrailTargetOptions();
        var jsonOption = new Option<bool>("--json") { Description = "Print the result as one JSON object." };
        var checkpointOption = new Option<string?>("--checkpoint")
        {
            Description = "A signed checkpoint (e.g. the exported 'checkpoint' file): detects a truncated tail, a swapped store or a rollback.",
            HelpName = "file",
        };
        var keyOption = new Option<string?>("--key") { Description = "Verifier key (text or file) the checkpoint must be signed with.", HelpName = "pubkey" };
        var witnessOption = new Option<string[]>("--witness")
        {
            Description = "A witness's cosignature/v1 key (text or file) that must have cosigned the checkpoint; repeat for several.",
            HelpName = "pubkey",
        };
        var archiveOption = new Option<string?>("--archive")
        {
            Description = "An archive folder: verify its segments and the trail as one continuous history (a missing or altered segment is named).",
            HelpName = "folder",
        };
        var command = new Command("verify",
            "Verify a trail's hash chain, and against a signed checkpoint. Exit 0: intact; 1: tampered; 3: missing or unreadable; 4: bad checkpoint or key.")
        {
            checkpointOption,
            keyOption,
            witnessOption,
            archiveOption,
            jsonOption,
        };
        target.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(keyOption) is not null && result.GetValue(checkpointOption) is null)
                result.AddError("--key needs --checkpoint: it is the key the checkpoint must be signed with.");
            if (result.GetValue(witnessOption) is { Length: > 0 } && result.GetValue(checkpointOption) is null)
                result.AddError("--witness needs --checkpoint: it is the checkpoint the witness must have cosigned.");
        });
        command.SetAction((parseResult, cancellationToken) => RunAsync(io, target.Resolve(parseResult),
            parseResult.GetValue(checkpointOption), parseResult.GetValue(keyOption), parseResult.GetValue(witnessOption) ?? [],
            parseResult.GetValue(jsonOption), parseResult.GetValue(archiveOption), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliOutput io, TrailTarget target, string? checkpointPath, string? key, string[] witnesses, bool json,
        string? archiveFolder, CancellationToken cancellationToken)
    {
        var path = target.Display;
        if (archiveFolder is not null && !Directory.Exists(archiveFolder))
        {
            var message = File.Exists(archiveFolder) ? $"the archive folder {archiveFolder} is a file, not a folder" : $"archive folder not found: {archiveFolder}";
            io.Fail(message);
            if (json)
                JsonOutput.WriteLine(io.Out, w => WriteUnavailable(w, path, message));
            return ExitCodes.TrailUnavailable;
        }
        SignedCheckpoint? checkpoint = null;
        var cosigned = new List<string>();
        if (checkpointPath is not null)
        {
            try
            {
                checkpoint = CheckpointFile.Read(checkpointPath, key);
                foreach (var witness in witnesses)
                {
                    var verifier = CheckpointFile.ReadCosigner(witness);
                    var time = verifier.Verify(checkpoint)
                        ?? throw new CheckpointUnusableException($"checkpoint {checkpointPath} carries no valid cosignature by witness '{verifier.Name}' ({verifier.KeyId:x8}).");
                    cosigned.Add($"{verifier.Name} at {time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)}");
                }
            }
            catch (CheckpointUnusableException e)
            {
                io.Fail(e.Message);
                if (json)
                    JsonOutput.WriteLine(io.Out, w => WriteUnavailable(w, path, e.Message));
                return ExitCodes.CheckpointInvalid;
            }
        }

        VerificationResult result;
        try
        {
            await using var trail = await target.OpenReadOnlyAsync(cancellationToken);
            var total = await trail.TreeSizeAsync(cancellationToken);
            result = await VerificationProgress.RunAsync(io, total, progress => archiveFolder is null
                ? trail.VerifyAsync(checkpoint, progress, cancellationToken).AsTask()
                : trail.VerifyWithArchivesAsync(new AuditGen.Archive.FolderArchiveTarget(archiveFolder), checkpoint, progress, cancellationToken).AsTask());
        }
        catch (AuditGen.Archive.ArchiveTargetException e)
        {
            var message = $"archive folder unreadable: {e.Message}";
            io.Fail(message);
            if (json)
                JsonOutput.WriteLine(io.Out, w => WriteUnavailable(w, path, message));
            return ExitCodes.TrailUnavailable;
        }
        catch (Exception exception) when (target.Describe(exception) is { } message)
        {
            io.Fail(message);
            if (json)
                JsonOutput.WriteLine(io.Out, w => WriteUnavailable(w, path, message));
            return ExitCodes.TrailUnavailable;
        }

        if (json)
            JsonOutput.WriteLine(io.Out, w => WriteResult(w, path, result, cosigned, archiveFolder));
        else
        {
            Render(io.Console, path, result);
            if (archiveFolder is not null)
                io.Console.MarkupLineInterpolated($"Archives: {archiveFolder} ({result.ArchivedRecordsChecked} archived records checked){(result.ArchiveSegment is { } segment ? $"; failing segment: {segment}" : "")}");
            foreach (var witness in cosigned)
                io.Console.MarkupLineInterpolated($"Cosigned by: {witness}");
        }
        return result.IsValid ? ExitCodes.Success : ExitCodes.Tampered;
    }

    private static void Render(IAnsiConsole console, string path, VerificationResult result)
    {
        console.MarkupLineInterpolated($"Trail: {path}");
        console.MarkupLineInterpolated($"Records checked: {result.RecordsChecked}");
        if (result.Checkpoint is { } checkpoint)
            console.MarkupLineInterpolated($"Checkpoint: {checkpoint.Checkpoint.Origin} size {checkpoint.Checkpoint.TreeSize} root {checkpoint.Checkpoint.RootHex} ({(checkpoint.IsSignatureVerified ? $"signature verified with {checkpoint.SignedBy!.Name}" : "signature NOT checked: no --key")})");
        if (result.IsValid)
        {
            console.MarkupLine("Result: [green]valid[/]");
            console.MarkupLineInterpolated($"Head hash: {result.HeadHash ?? "(empty trail)"}");
            return;
        }

        console.MarkupLine("Result: [red bold]TAMPERED[/]");
        console.MarkupLineInterpolated($"First broken sequence: {(result.FirstBrokenSequence is { } sequence ? sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown")}");
        console.MarkupLineInterpolated($"Failure: {SnakeCase.From(result.Failure)}");
        console.MarkupLineInterpolated($"Reason: {result.Reason ?? "(none given)"}");
    }

    private static void WriteResult(System.Text.Json.Utf8JsonWriter json, string path, VerificationResult result, List<string> cosigned, string? archiveFolder)
    {
        json.WriteStartObject();
        json.WriteString("trail", path);
        json.WriteBoolean("valid", result.IsValid);
        json.WriteNumber("recordsChecked", result.RecordsChecked);
        json.WriteString("headHash", result.HeadHash);
        if (result.FirstBrokenSequence is { } sequence) json.WriteNumber("firstBrokenSequence", sequence);
        else json.WriteNull("firstBrokenSequence");
        json.WriteString("failure", SnakeCase.From(result.Failure));
        json.WriteString("reason", result.Reason);
        if (archiveFolder is not null)
        {
            json.WriteStartObject("archive");
            json.WriteString("folder", archiveFolder);
            json.WriteNumber("archivedRecordsChecked", result.ArchivedRecordsChecked);
            json.WriteString("segment", result.ArchiveSegment);
            json.WriteEndObject();
        }
        if (result.Checkpoint is { } checkpoint)
        {
            json.WriteStartObject("checkpoint");
            json.WriteString("origin", checkpoint.Checkpoint.Origin);
            json.WriteNumber("treeSize", checkpoint.Checkpoint.TreeSize);
            json.WriteString("rootHash", checkpoint.Checkpoint.RootHex);
            json.WriteBoolean("signatureVerified", checkpoint.IsSignatureVerified);
            json.WriteStartArray("cosignedBy");
            foreach (var witness in cosigned)
                json.WriteStringValue(witness);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteUnavailable(System.Text.Json.Utf8JsonWriter json, string path, string message)
    {
        json.WriteStartObject();
        json.WriteString("trail", path);
        json.WriteBoolean("valid", false);
        json.WriteString("error", message);
        json.WriteEndObject();
    }
}
