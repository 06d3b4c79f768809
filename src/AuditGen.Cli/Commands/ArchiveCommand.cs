using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AuditGen.Archive;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using Spectre.Console;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen archive &lt;trail&gt; --to FOLDER (--sequences LIST | --before DATE [--after DATE]) [--reason TEXT] [--json]</c>:
/// archives an explicit selection to a segment in the folder and removes the records' content from the live trail
/// (<see cref="LiteDbAuditTrail.ArchiveAsync"/>, or the PostgreSQL trail's, for <c>postgres://…</c> / <c>--postgres</c> with
/// <c>--log</c>). Rerunning an interrupted run with the same selection completes it.
/// </summary>
internal static class ArchiveCommand
{
    public static Command Create(CliOutput io)
    {
        var trailTarget = new TrailTargetOptions();
        var toOption = new Option<string>("--to") { Description = "The archive folder (created if missing).", HelpName = "folder", Required = true };
        var sequencesOption = new Option<string?>("--sequences")
        {
            Description = "Sequences to archive: a comma-separated list of numbers and ranges, e.g. 0-99,120,130-140.",
            HelpName = "list",
        };
        var beforeOption = new Option<string?>("--before") { Description = "Archive the records stamped before this UTC date or time (ISO 8601).", HelpName = "date" };
        var afterOption = new Option<string?>("--after") { Description = "With --before: only records stamped at or after this UTC date or time.", HelpName = "date" };
        var reasonOption = new Option<string?>("--reason") { Description = "Why (recorded in the retention_applied record).", HelpName = "text" };
        var jsonOption = new Option<bool>("--json") { Description = "Print the outcome as one JSON object." };
        var command = new Command("archive",
            "Archive records to a verified segment, then remove their content from the trail. Exit 0: archived; 2: bad selection; 3: trail or archive folder unusable; 1: the archive did not verify.")
        {
            toOption,
            sequencesOption,
            beforeOption,
            afterOption,
            reasonOption,
            jsonOption,
        };
        trailTarget.AddTo(command);
        command.Validators.Add(result =>
        {
            var bySequence = result.GetValue(sequencesOption) is not null;
            var byDate = result.GetValue(beforeOption) is not null;
            if (bySequence == byDate)
                result.AddError("Give exactly one of --sequences or --before.");
            if (result.GetValue(afterOption) is not null && !byDate)
                result.AddError("--after needs --before: together they are a time range.");
        });
        command.SetAction((parseResult, cancellationToken) => RunAsync(io, trailTarget.Resolve(parseResult), parseResult.GetRequiredValue(toOption),
            parseResult.GetValue(sequencesOption), parseResult.GetValue(beforeOption), parseResult.GetValue(afterOption), parseResult.GetValue(reasonOption),
            parseResult.GetValue(jsonOption), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliOutput io, TrailTarget trailTarget, string to, string? sequenceList, string? beforeText, string? afterText, string? reason,
        bool json, CancellationToken cancellationToken)
    {
        var path = trailTarget.Display;
        long[]? sequences = null;
        DateTimeOffset? before = null, after = null;
        try
        {
            if (sequenceList is not null)
                sequences = SequenceList.Parse(sequenceList);
            else
            {
                before = ParseDate(beforeText!, "--before");
                after = afterText is null ? null : ParseDate(afterText, "--after");
                if (after >= before)
                    throw new FormatException($"--after {afterText} is not before --before {beforeText}: the date range is backwards or empty.");
            }
        }
        catch (FormatException e)
        {
            io.Fail(e.Message);
            return ExitCodes.UsageError;
        }
        if (File.Exists(to))
        {
            io.Fail($"the archive folder {to} is a file, not a folder");
            return ExitCodes.TrailUnavailable;
        }

        try
        {
            await using var trail = await trailTarget.OpenForWritingAsync(new AuditTrailOptions(), cancellationToken);
            sequences ??= await SelectByTimeAsync(trail, after, before!.Value, cancellationToken);
            if (sequences.Length == 0)
            {
                io.Fail($"no archivable record in {path} matches the selection (lifecycle records, archived records and the newest record are never archived)");
                return ExitCodes.UsageError;
            }
            var details = RetentionDetails(sequenceList, beforeText, afterText, reason, sequences.Length);
            var outcome = await RunWithProgressAsync(io, sequences.Length, progress =>
                trail.ArchiveAsync(new ArchiveSelection(sequences, details), new FolderArchiveTarget(to), progress, cancellationToken));
            if (json)
                JsonOutput.WriteLine(io.Out, w => WriteOutcome(w, path, to, outcome));
            else
                Render(io.Console, path, to, outcome);
            return ExitCodes.Success;
        }
        catch (ArgumentException e)
        {
            io.Fail(e.Message);
            return ExitCodes.UsageError;
        }
        catch (ArchiveTargetException e)
        {
            io.Fail($"archive folder unusable: {e.Message}");
            return ExitCodes.TrailUnavailable;
        }
        catch (ArchiveVerificationException e)
        {
            io.Fail(e.Message);
            return ExitCodes.Tampered;
        }
        catch (Exception exception) when (trailTarget.Describe(exception) is { } message)
        {
            io.Fail(message);
            return ExitCodes.TrailUnavailable;
        }
    }

    // Records stamped in [after, before), except lifecycle records (the trail refuses them) and the chain's newest record.
    private static async Task<long[]> SelectByTimeAsync(InspectedTrail trail, DateTimeOffset? after, DateTimeOffset before, CancellationToken cancellationToken)
    {
        var newest = await trail.TreeSizeAsync(cancellationToken) - 1;
        var selected = new List<long>();
        await foreach (var record in trail.Trail.QueryAsync(new AuditQuery { From = after, To = before }, cancellationToken))
        {
            if (record.Sequence < newest && ArchiveSelection.IsArchivable(record.Action))
                selected.Add(record.Sequence);
        }
        selected.Sort();
        return [.. selected];
    }

    private static DateTimeOffset ParseDate(string text, string option)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
            return value;
        throw new FormatException($"{option} '{text}' is not a date or time (ISO 8601, e.g. 2025-01-31 or 2025-01-31T12:00:00Z).");
    }

    private static string RetentionDetails(string? sequences, string? before, string? after, string? reason, int count)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("command", "auditgen archive");
            json.WriteNumber("count", count);
            json.WriteString("reason", reason);
            json.WriteStartObject("selection");
            if (sequences is not null)
                json.WriteString("sequences", sequences);
            if (before is not null)
                json.WriteString("before", before);
            if (after is not null)
                json.WriteString("after", after);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static async Task<ArchiveOutcome> RunWithProgressAsync(CliOutput io, int count, Func<IProgress<long>?, Task<ArchiveOutcome>> archive)
    {
        if (!io.Console.Profile.Capabilities.Interactive)
            return await archive(null);
        ArchiveOutcome? outcome = null;
        await io.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var total = 3L * count;
                var task = context.AddTask("Archiving", maxValue: total);
                var clock = Stopwatch.StartNew();
                var progress = new Progress<long>(done =>
                {
                    task.Value = done;
                    var phase = done < count ? "writing" : done < 2L * count ? "verifying" : "removing";
                    var rate = done / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                    task.Description = $"Archiving: {phase} ({rate.ToString("N0", CultureInfo.InvariantCulture)} record-steps/s)";
                });
                outcome = await archive(progress);
                task.Value = total;
            });
        return outcome!;
    }

    private static void Render(IAnsiConsole console, string path, string to, ArchiveOutcome outcome)
    {
        var manifest = outcome.Manifest;
        console.MarkupLineInterpolated($"Trail: {path}");
        console.MarkupLineInterpolated($"Archive folder: {to}");
        console.MarkupLineInterpolated($"Segment: {manifest.SegmentId}{(outcome.Resumed ? " (an interrupted earlier run was completed)" : "")}");
        console.MarkupLineInterpolated($"Records archived: {manifest.Count} (sequences {manifest.FirstSequence} to {manifest.LastSequence})");
        console.MarkupLineInterpolated($"Segment SHA-256: {manifest.SegmentSha256}");
        console.MarkupLineInterpolated($"Merkle root: {manifest.MerkleRoot}");
        console.MarkupLineInterpolated($"Recorded: archive_created at sequence {outcome.ArchiveCreated.Sequence}, retention_applied at sequence {outcome.RetentionApplied.Sequence}");
    }

    private static void WriteOutcome(Utf8JsonWriter json, string path, string to, ArchiveOutcome outcome)
    {
        var manifest = outcome.Manifest;
        json.WriteStartObject();
        json.WriteString("trail", path);
        json.WriteString("archive", to);
        json.WriteString("segment", manifest.SegmentId);
        json.WriteBoolean("resumed", outcome.Resumed);
        json.WriteNumber("count", manifest.Count);
        json.WriteNumber("firstSequence", manifest.FirstSequence);
        json.WriteNumber("lastSequence", manifest.LastSequence);
        json.WriteString("sha256", manifest.SegmentSha256);
        json.WriteString("merkleRoot", manifest.MerkleRoot);
        json.WriteNumber("archiveCreatedSequence", outcome.ArchiveCreated.Sequence);
        json.WriteNumber("retentionAppliedSequence", outcome.RetentionApplied.Sequence);
        json.WriteEndObject();
    }
}

/// <summary>Parses <c>0-99,120,130-140</c> into ascending, distinct sequences.</summary>
internal static class SequenceList
{
    private const int MaxCount = 50_000_000;

    /// <exception cref="FormatException">A part is not a number or a range, a range runs backwards, or a sequence repeats.</exception>
    public static long[] Parse(string text)
    {
        var result = new List<long>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            var dash = part.IndexOf('-', 1 < part.Length ? 1 : 0);
            if (dash > 0)
            {
                var first = Number(part[..dash], part);
                var last = Number(part[(dash + 1)..], part);
                if (last < first)
                    throw new FormatException($"--sequences range '{part}' runs backwards: write it as {last}-{first}.");
                if (last - first + result.Count > MaxCount)
                    throw new FormatException($"--sequences selects more than {MaxCount} records; archive in smaller runs.");
                for (var s = first; s <= last; s++)
                    result.Add(s);
            }
            else
            {
                result.Add(Number(part, part));
            }
        }
        result.Sort();
        for (var i = 1; i < result.Count; i++)
            if (result[i] == result[i - 1])
                throw new FormatException($"--sequences names sequence {result[i]} more than once.");
        return [.. result];
    }

    private static long Number(string text, string part) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"--sequences part '{part}' is not a sequence number or a range like 10-20.");
}
