using System.CommandLine;
using System.Globalization;
using AuditGen.Archive;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using AuditGen.Retention;
using Spectre.Console;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen retention apply &lt;trail&gt; --archive FOLDER [--config FILE] [--json]</c>: archives what the plan selects
/// (as the trail's writer: takes the write lock), completing any run a crash interrupted. The trail may be a LiteDB file
/// or a PostgreSQL log (<c>postgres://…</c> or <c>--postgres</c>, with <c>--log</c>; run as the retention role).
/// </summary>
internal static partial class RetentionCommand
{
    private static Command CreateApply(CliOutput io)
    {
        var trailTarget = new TrailTargetOptions();
        var archive = new Option<string>("--archive")
        {
            Description = "The archive folder segments and manifests go to (created on the first run). Keep it with the trail: verification needs both.",
            HelpName = "folder",
            Required = true,
        };
        var config = ConfigOption();
        var section = SectionOption();
        var json = new Option<bool>("--json") { Description = "Print the outcome as one JSON object." };
        var command = new Command("apply",
            "Archive every expired record no legal hold covers, and complete an interrupted run. Exit 0: applied; 2: bad configuration; 3: trail or archive missing, unreadable or locked.")
        {
            archive, config, section, json,
        };
        trailTarget.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetValue(archive) is { } folder && string.IsNullOrWhiteSpace(folder))
                result.AddError("--archive must name a folder.");
        });
        command.SetAction((parseResult, cancellationToken) => ApplyAsync(io, trailTarget.Resolve(parseResult), parseResult.GetRequiredValue(archive),
            parseResult.GetValue(config), parseResult.GetRequiredValue(section), parseResult.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> ApplyAsync(CliOutput io, TrailTarget trailTarget, string archivePath, string? configPath, string section, bool json, CancellationToken cancellationToken)
    {
        RetentionPolicySet policies;
        try
        {
            policies = RetentionConfigFile.Read(configPath, section);
        }
        catch (RetentionConfigurationException e)
        {
            io.Fail(e.Message);
            return ExitCodes.UsageError;
        }
        if (File.Exists(archivePath))
        {
            io.Fail($"--archive {archivePath} is a file; give a folder.");
            return ExitCodes.UsageError;
        }

        RetentionRun run;
        try
        {
            await using var trail = await trailTarget.OpenForWritingAsync(new AuditTrailOptions(), cancellationToken);
            var target = new FolderArchiveTarget(archivePath);
            run = await RunWithProgressAsync(io, progress => trail.ApplyRetentionAsync(target, policies, progress, cancellationToken));
        }
        catch (ArchiveTargetException e)
        {
            io.Fail($"archive {archivePath}: {e.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.TrailUnavailable;
        }
        catch (Exception exception) when (trailTarget.Describe(exception) is { } message)
        {
            io.Fail(message);
            return ExitCodes.TrailUnavailable;
        }

        if (json)
            JsonOutput.WriteLine(io.Out, w => WriteRun(w, run));
        else
            RenderRun(io.Console, run);
        return ExitCodes.Success;
    }

    private static async Task<RetentionRun> RunWithProgressAsync(CliOutput io, Func<IProgress<RetentionProgress>?, Task<RetentionRun>> apply)
    {
        if (!io.Console.Profile.Capabilities.Interactive)
            return await apply(null);
        RetentionRun run = null!;
        await io.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var progress = new Progress<RetentionProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.Phase, out var task))
                        tasks[p.Phase] = task = context.AddTask(p.Phase == "planning" ? "Planning" : "Archiving", maxValue: Math.Max(p.Total, 1));
                    task.MaxValue = Math.Max(p.Total, 1);
                    task.Value = Math.Min(p.Done, task.MaxValue);
                });
                run = await apply(progress);
            });
        return run;
    }

    private static void RenderRun(IAnsiConsole console, RetentionRun run)
    {
        if (run.PolicyChange is { } change)
            console.MarkupLineInterpolated($"Recorded the retention configuration {run.Plan.Policies.Fingerprint} (retention_policy_changed, record {change.Sequence}).");
        if (run.Archives.Count == 0)
        {
            console.WriteLine($"Nothing to archive at {Canonical.AuditRecordCodec.FormatTimestamp(Micro(run.Plan.At))}; {Plural(run.Plan.Held, "expired record")} held back.");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded).Title("Archived");
        table.AddColumn("Segment");
        table.AddColumn(new TableColumn("Records").RightAligned());
        table.AddColumns("Sequences", "Run");
        foreach (var archive in run.Archives)
        {
            table.AddRow(new Text(archive.Manifest.SegmentId), Number(archive.Manifest.Count),
                new Text($"{archive.Manifest.FirstSequence.ToString(CultureInfo.InvariantCulture)}..{archive.Manifest.LastSequence.ToString(CultureInfo.InvariantCulture)}"),
                new Text(archive.Resumed ? "completed an interrupted run" : "new"));
        }
        console.Write(table);
        console.WriteLine($"{Plural(run.RecordsArchived, "record")} archived; {Plural(run.Plan.Held, "expired record")} held back by legal holds.");
    }

    private static void WriteRun(System.Text.Json.Utf8JsonWriter json, RetentionRun run)
    {
        json.WriteStartObject();
        json.WriteNumber("archived", run.RecordsArchived);
        json.WriteNumber("held", run.Plan.Held);
        if (run.PolicyChange is { } change) json.WriteNumber("policyChangedSequence", change.Sequence);
        else json.WriteNull("policyChangedSequence");
        json.WriteStartArray("segments");
        foreach (var archive in run.Archives)
        {
            json.WriteStartObject();
            json.WriteString("segment", archive.Manifest.SegmentId);
            json.WriteNumber("count", archive.Manifest.Count);
            json.WriteNumber("firstSequence", archive.Manifest.FirstSequence);
            json.WriteNumber("lastSequence", archive.Manifest.LastSequence);
            json.WriteBoolean("resumed", archive.Resumed);
            json.WriteNumber("archiveCreatedSequence", archive.ArchiveCreated.Sequence);
            json.WriteNumber("retentionAppliedSequence", archive.RetentionApplied.Sequence);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WritePropertyName("plan");
        json.WriteRawValue(run.Plan.ToDetailsJson(), skipInputValidation: true);
        json.WriteEndObject();
    }
}
