using AuditGen.Canonical;
using System.CommandLine;
using System.Globalization;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using AuditGen.Queries;
using Spectre.Console;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen query &lt;trail&gt; [filters] [--reader ID --role ROLE] [--json]</c>: lists matching records in sequence
/// order, as a table for people or as JSON Lines (one full record per line) for tools.
/// </summary>
/// <remarks>
/// Reading confidential or restricted records is audited: it needs <c>--reader</c> and <c>--role</c>, and then the
/// trail is opened for writing (its write lock) so the <c>audit_log_accessed</c> record is appended, durably, before any
/// record is printed. Without them the trail is opened read-only, and a query whose results include a confidential or
/// restricted record prints nothing and exits 2, saying so.
/// </remarks>
internal static class QueryCommand
{
    public static Command Create(CliOutput io)
    {
        var target = new TrailTargetOptions();
        var conversation = new Option<string?>("--conversation") { Description = "Only records of this conversation id.", HelpName = "id" };
        var user = new Option<string?>("--user") { Description = "Only records for this user id.", HelpName = "id" };
        var tool = new Option<string?>("--tool") { Description = "Only records of this tool name (e.g. lookup_patient).", HelpName = "name" };
        var action = new Option<AuditAction?>("--action")
        {
            Description = "Only records with this action, as its wire name (e.g. tool_failed).",
            HelpName = "action",
            CustomParser = QueryArguments.ParseAction,
        };
        var resourceType = new Option<string?>("--resource-type") { Description = "Only records about this kind of resource (e.g. patient).", HelpName = "type" };
        var resource = new Option<string?>("--resource") { Description = "Only records about this resource id, as stored (a pseudonym where classified).", HelpName = "id" };
        var subject = new Option<string?>("--subject") { Description = "Only records about this data subject id, as stored (a pseudonym where classified).", HelpName = "id" };
        var outcome = new Option<AuditOutcome?>("--outcome")
        {
            Description = "Only records with this outcome: success, failure or denied.",
            HelpName = "outcome",
            CustomParser = QueryArguments.ParseOutcome,
        };
        var minimumClassification = new Option<DataClass?>("--min-classification")
        {
            Description = "Only records classified at least this sensitive: public, internal, confidential or restricted.",
            HelpName = "class",
            CustomParser = QueryArguments.ParseClassification,
        };
        var from = QueryArguments.TimeOption("--from", "Only records at or after this time (ISO 8601; UTC when no offset).");
        var to = QueryArguments.TimeOption("--to", "Only records before this time (ISO 8601; UTC when no offset).");
        var limit = new Option<int?>("--limit")
        {
            Description = "At most this many records.",
            HelpName = "n",
            CustomParser = QueryArguments.ParseLimit,
        };
        var reader = new Option<string?>("--reader")
        {
            Description = "Who reads (recorded in the audit_log_accessed record). Needs --role; opens the trail for writing.",
            HelpName = "id",
        };
        var role = new Option<AuditReaderRole?>("--role")
        {
            Description = "The reader's role: auditor (all in full), admin (restricted redacted), operator (confidential and restricted redacted).",
            HelpName = "role",
            CustomParser = QueryArguments.ParseRole,
        };
        var json = new Option<bool>("--json") { Description = "Print JSON Lines: one full record per line." };

        var command = new Command("query",
            "List a trail's records, filtered. Reading confidential or restricted records needs --reader and --role and is recorded in the trail. " +
            "Exit 0: listed (possibly none); 2: bad filter, or sensitive records without --reader/--role; 3: missing, unreadable or locked.")
        {
            conversation, user, tool, action, resourceType, resource, subject, outcome, minimumClassification, from, to, limit, reader, role, json,
        };
        target.AddTo(command);
        command.Validators.Add(result =>
        {
            // Presence only: reading --role's value here would throw on a bad role, which its parser already reports.
            var hasReader = result.GetResult(reader) is not null;
            var hasRole = result.GetResult(role) is not null;
            if (hasReader != hasRole)
                result.AddError("--reader and --role go together: who reads, and in which role (auditor, admin or operator).");
            if (result.GetValue(reader) is { } id && string.IsNullOrWhiteSpace(id))
                result.AddError("--reader must not be empty.");
        });
        command.SetAction((parseResult, cancellationToken) =>
        {
            var query = new AuditQuery
            {
                ConversationId = parseResult.GetValue(conversation),
                UserId = parseResult.GetValue(user),
                ToolName = parseResult.GetValue(tool),
                Action = parseResult.GetValue(action),
                ResourceType = parseResult.GetValue(resourceType),
                ResourceId = parseResult.GetValue(resource),
                SubjectId = parseResult.GetValue(subject),
                Outcome = parseResult.GetValue(outcome),
                MinimumClassification = parseResult.GetValue(minimumClassification),
                From = parseResult.GetValue(from),
                To = parseResult.GetValue(to),
                Limit = parseResult.GetValue(limit),
            };
            var who = parseResult.GetValue(reader) is { } id && parseResult.GetValue(role) is { } r ? new AuditReader(id, r) : null;
            return RunAsync(io, target.Resolve(parseResult), query, who, parseResult.GetValue(json), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliOutput io, TrailTarget target, AuditQuery query, AuditReader? reader, bool json, CancellationToken cancellationToken)
    {
        if (query is { From: { } from, To: { } to } && from > to)
        {
            io.Fail($"--from ({AuditRecordCodec.FormatTimestamp(from)}) is after --to ({AuditRecordCodec.FormatTimestamp(to)}).");
            return ExitCodes.UsageError;
        }

        var views = new List<AuditRecordView>();
        AuditRecord? access = null;
        try
        {
            if (reader is null)
            {
                await using var opened = await target.OpenReadOnlyAsync(cancellationToken);
                var trail = opened.Trail;
                var sensitive = 0L;
                await foreach (var record in trail.QueryAsync(query, cancellationToken))
                    if (record.Classification >= DataClass.Confidential)
                        sensitive++;
                if (sensitive > 0)
                {
                    io.Fail($"{sensitive.ToString(CultureInfo.InvariantCulture)} of the matching records are confidential or restricted; reading them is recorded in the trail. " +
                        "Give --reader ID and --role auditor|admin|operator (this opens the trail for writing to append the audit_log_accessed record). " +
                        "Public and internal records are listed without a reader.");
                    return ExitCodes.UsageError;
                }
                await foreach (var record in trail.QueryAsync(query, cancellationToken))
                    Emit(io, json, views, new AuditRecordView(record, IsRedacted: false));
            }
            else
            {
                await using var opened = await OpenForAppendAsync(target, reader, cancellationToken);
                var read = await new AuditedReader(opened.Trail, reader).ReadAsync(query, cancellationToken);
                access = read.AccessRecord;
                await foreach (var view in read.WithCancellation(cancellationToken))
                    Emit(io, json, views, view);
            }
        }
        catch (Exception exception) when (target.Describe(exception) is { } message)
        {
            io.Fail(message);
            return ExitCodes.TrailUnavailable;
        }

        if (!json)
            Render(io.Console, views, access);
        return ExitCodes.Success;
    }

    private static async Task<InspectedTrail> OpenForAppendAsync(TrailTarget target, AuditReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await target.OpenForWritingAsync(new AuditTrailOptions(), cancellationToken);
        }
        catch (TrailUnavailableException e) when (e.InnerException is AuditTrailLockedException)
        {
            throw new TrailUnavailableException(
                $"{e.Message} — query --reader {reader.Id} appends an audit_log_accessed record, so it needs the write lock; " +
                "a running application holds it: read through the application (AuditedReader), or stop its writer first.", e);
        }
    }

    private static void Emit(CliOutput io, bool json, List<AuditRecordView> views, AuditRecordView view)
    {
        if (!json)
        {
            views.Add(view);
            return;
        }
        var line = System.Text.Encoding.UTF8.GetString(AuditRecordCodec.Serialize(view.Record));
        // A redacted view no longer hashes to its stored hash: say so on the line itself.
        io.Out.WriteLine(view.IsRedacted ? "{\"view\":\"redacted\"," + line[1..] : line);
    }

    private static void Render(IAnsiConsole console, IReadOnlyList<AuditRecordView> views, AuditRecord? access)
    {
        if (views.Count == 0)
        {
            console.WriteLine("No records match.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("Seq").RightAligned());
        table.AddColumns("Time (UTC)", "Action", "Tool", "Conversation", "User", "Outcome", "Classification");
        table.AddColumn(new TableColumn("Duration").RightAligned());
        foreach (var (record, redacted) in views)
        {
            table.AddRow(
                Cell(record.Sequence.ToString(CultureInfo.InvariantCulture)),
                Cell(AuditRecordCodec.FormatTimestamp(record.Timestamp)),
                Cell(record.Action.ToWireName()),
                Cell(record.ToolName),
                Cell(record.ConversationId),
                Cell(record.UserId),
                Cell(record.Outcome.ToWireName()),
                Cell(redacted ? $"{record.Classification.ToWireName()} (redacted)" : record.Classification.ToWireName()),
                Cell(FormatDuration(record.DurationMicros)));
        }

        console.Write(table);
        console.WriteLine(views.Count == 1 ? "1 record" : $"{views.Count.ToString(CultureInfo.InvariantCulture)} records");
        if (access is not null)
            console.WriteLine($"This read is recorded as audit_log_accessed, sequence {access.Sequence.ToString(CultureInfo.InvariantCulture)}.");
    }

    private static Text Cell(string? value) => new(string.IsNullOrEmpty(value) ? "-" : value);

    private static string FormatDuration(long? micros) => micros switch
    {
        null => "-",
        < 1_000 => $"{micros.Value.ToString(CultureInfo.InvariantCulture)} µs",
        < 1_000_000 => $"{(micros.Value / 1_000d).ToString("0.###", CultureInfo.InvariantCulture)} ms",
        _ => $"{(micros.Value / 1_000_000d).ToString("0.###", CultureInfo.InvariantCulture)} s",
    };
}
