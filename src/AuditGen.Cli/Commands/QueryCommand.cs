using AuditGen.Canonical;
using System.CommandLine;
using System.Globalization;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using Spectre.Console;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen query &lt;trail&gt; [filters] [--json]</c>: lists matching records in sequence order, as a table for
/// people or as JSON Lines (one full record per line) for tools.
/// </summary>
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
        var from = new Option<DateTimeOffset?>("--from")
        {
            Description = "Only records at or after this time (ISO 8601; UTC when no offset).",
            HelpName = "time",
            CustomParser = result => QueryArguments.ParseTime(result, "--from"),
        };
        var to = new Option<DateTimeOffset?>("--to")
        {
            Description = "Only records before this time (ISO 8601; UTC when no offset).",
            HelpName = "time",
            CustomParser = result => QueryArguments.ParseTime(result, "--to"),
        };
        var limit = new Option<int?>("--limit")
        {
            Description = "At most this many records.",
            HelpName = "n",
            CustomParser = QueryArguments.ParseLimit,
        };
        var json = new Option<bool>("--json") { Description = "Print JSON Lines: one full record per line." };

        var command = new Command("query", "List a trail's records, filtered. Exit 0: listed (possibly none); 2: bad filter; 3: missing or unreadable.")
        {
            conversation, user, tool, action, from, to, limit, json,
        };
        target.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var query = new AuditQuery
            {
                ConversationId = parseResult.GetValue(conversation),
                UserId = parseResult.GetValue(user),
                ToolName = parseResult.GetValue(tool),
                Action = parseResult.GetValue(action),
                From = parseResult.GetValue(from),
                To = parseResult.GetValue(to),
                Limit = parseResult.GetValue(limit),
            };
            return RunAsync(io, target.Resolve(parseResult), query, parseResult.GetValue(json), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliOutput io, TrailTarget target, AuditQuery query, bool json, CancellationToken cancellationToken)
    {
        if (query is { From: { } from, To: { } to } && from > to)
        {
            io.Fail($"--from ({AuditRecordCodec.FormatTimestamp(from)}) is after --to ({AuditRecordCodec.FormatTimestamp(to)}).");
            return ExitCodes.UsageError;
        }

        var records = new List<AuditRecord>();
        try
        {
            await using var trail = await target.OpenReadOnlyAsync(cancellationToken);
            await foreach (var record in trail.Trail.QueryAsync(query, cancellationToken))
            {
                if (json)
                    io.Out.WriteLine(System.Text.Encoding.UTF8.GetString(AuditRecordCodec.Serialize(record)));
                else
                    records.Add(record);
            }
        }
        catch (Exception exception) when (target.Describe(exception) is { } message)
        {
            io.Fail(message);
            return ExitCodes.TrailUnavailable;
        }

        if (!json)
            Render(io.Console, records);
        return ExitCodes.Success;
    }

    private static void Render(IAnsiConsole console, IReadOnlyList<AuditRecord> records)
    {
        if (records.Count == 0)
        {
            console.WriteLine("No records match.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("Seq").RightAligned());
        table.AddColumns("Time (UTC)", "Action", "Tool", "Conversation", "User", "Outcome", "Classification");
        table.AddColumn(new TableColumn("Duration").RightAligned());
        foreach (var record in records)
        {
            table.AddRow(
                Cell(record.Sequence.ToString(CultureInfo.InvariantCulture)),
                Cell(AuditRecordCodec.FormatTimestamp(record.Timestamp)),
                Cell(record.Action.ToWireName()),
                Cell(record.ToolName),
                Cell(record.ConversationId),
                Cell(record.UserId),
                Cell(record.Outcome.ToWireName()),
                Cell(record.Classification.ToWireName()),
                Cell(FormatDuration(record.DurationMicros)));
        }

        console.Write(table);
        console.WriteLine(records.Count == 1 ? "1 record" : $"{records.Count.ToString(CultureInfo.InvariantCulture)} records");
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
