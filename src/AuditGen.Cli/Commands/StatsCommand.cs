using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AuditGen.Canonical;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using AuditGen.Queries;
using Spectre.Console;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen stats &lt;trail&gt; [--from T] [--to T] [--ceiling N] [--json]</c>: per-tool usage and per-day volume and
/// error rate, with the days that break a volume alert rule flagged. Opens the trail read-only and appends nothing.
/// </summary>
internal static class StatsCommand
{
    public static Command Create(CliOutput io)
    {
        var trailArgument = TrailArgument.Create();
        var from = QueryArguments.TimeOption("--from", "Only records at or after this time (ISO 8601; UTC when no offset). The 14 days before it still count as history for the σ rule.");
        var to = QueryArguments.TimeOption("--to", "Only records before this time (ISO 8601; UTC when no offset).");
        var ceiling = new Option<long?>("--ceiling")
        {
            Description = "Flag days with more records than this (besides days more than 3σ above their trailing 14-day mean).",
            HelpName = "n",
            CustomParser = ParseCeiling,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("stats",
            "Tool usage (calls, error rate, p50/p95 duration), volume and error rate per UTC day, volume alerts. Exit 0: done; 2: bad option; 3: missing or unreadable.")
        {
            trailArgument, from, to, ceiling, json,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(io, parseResult.GetRequiredValue(trailArgument),
            parseResult.GetValue(from), parseResult.GetValue(to), parseResult.GetValue(ceiling), parseResult.GetValue(json), cancellationToken));
        return command;
    }

    private static long? ParseCeiling(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            return value;
        result.AddError($"--ceiling: '{text}' is not a whole number of records (0 or more).");
        return null;
    }

    private static async Task<int> RunAsync(CliOutput io, string path, DateTimeOffset? from, DateTimeOffset? to, long? ceiling, bool json,
        CancellationToken cancellationToken)
    {
        if (from is { } start && to is { } end && start > end)
        {
            io.Fail($"--from ({AuditRecordCodec.FormatTimestamp(start)}) is after --to ({AuditRecordCodec.FormatTimestamp(end)}).");
            return ExitCodes.UsageError;
        }

        AuditStatisticsReport report;
        try
        {
            await using var trail = TrailFile.OpenReadOnly(path);
            var options = new AuditStatisticsOptions
            {
                From = from,
                To = to,
                Alerts = new VolumeAlertOptions { DailyCeiling = ceiling },
                RaiseAlerts = false,
            };
            report = await WithProgressAsync(io, trail.TreeSize, progress => AuditStatistics.ComputeAsync(trail, options, progress, cancellationToken));
        }
        catch (Exception exception) when (TrailFile.Describe(exception, path) is { } message)
        {
            io.Fail(message);
            return ExitCodes.TrailUnavailable;
        }

        if (json)
            JsonOutput.WriteLine(io.Out, w => Write(w, path, report));
        else
            Render(io.Console, report);
        return ExitCodes.Success;
    }

    // A live bar (records/s) on an interactive terminal; quiet anywhere else.
    private static async Task<AuditStatisticsReport> WithProgressAsync(CliOutput io, long total, Func<IProgress<long>?, Task<AuditStatisticsReport>> run)
    {
        if (!io.Console.Profile.Capabilities.Interactive || total <= 0)
            return await run(null);
        AuditStatisticsReport? report = null;
        await io.Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Reading records", maxValue: total);
                report = await run(new Progress<long>(read => task.Value = read));
                task.Value = total;
            });
        return report!;
    }

    private static void Render(IAnsiConsole console, AuditStatisticsReport report)
    {
        console.WriteLine($"Records: {report.Records.ToString("N0", CultureInfo.InvariantCulture)}");
        if (report.Tools.Count == 0)
            console.WriteLine("No tool calls.");
        else
        {
            var tools = new Table().Border(TableBorder.Rounded).Title("Tool usage");
            tools.AddColumn("Tool");
            foreach (var heading in new[] { "Calls", "Errors", "Error rate", "p50", "p95" })
                tools.AddColumn(new TableColumn(heading).RightAligned());
            foreach (var tool in report.Tools)
                tools.AddRow(new Text(tool.ToolName), Number(tool.Calls), Number(tool.Errors), new Text(Percent(tool.ErrorRate)),
                    new Text(Duration(tool.P50Micros)), new Text(Duration(tool.P95Micros)));
            console.Write(tools);
        }

        if (report.Days.Count == 0)
        {
            console.WriteLine("No records in range.");
            return;
        }
        var days = new Table().Border(TableBorder.Rounded).Title("Per UTC day");
        days.AddColumn("Day");
        foreach (var heading in new[] { "Records", "Tool calls", "Errors", "Error rate" })
            days.AddColumn(new TableColumn(heading).RightAligned());
        days.AddColumn("Alert");
        foreach (var day in report.Days)
        {
            days.AddRow(new Text(day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), Number(day.Records), Number(day.ToolCalls),
                Number(day.ToolErrors), new Text(day.ErrorRate is { } rate ? Percent(rate) : "-"),
                day.Alert is { } alert ? new Markup($"[red bold]ALERT[/] {Markup.Escape(Describe(alert))}") : new Text(""));
        }
        console.Write(days);
        console.WriteLine(report.Alerts.Count switch
        {
            0 => "No volume alerts.",
            1 => "1 day raised a volume alert.",
            var n => $"{n.ToString(CultureInfo.InvariantCulture)} days raised a volume alert.",
        });
    }

    private static string Describe(VolumeAlert alert)
    {
        var reasons = new List<string>();
        if (alert.Kind.HasFlag(VolumeAlertKind.Ceiling))
            reasons.Add($"above ceiling {alert.Ceiling!.Value.ToString(CultureInfo.InvariantCulture)}");
        if (alert.Kind.HasFlag(VolumeAlertKind.Deviation))
            reasons.Add(FormattableString.Invariant($"> 3σ (mean {alert.TrailingMean:0.##}, σ {alert.TrailingStandardDeviation:0.##}, limit {alert.DeviationLimit:0.##})"));
        return string.Join("; ", reasons);
    }

    private static Text Number(long value) => new(value.ToString("N0", CultureInfo.InvariantCulture));

    private static string Percent(double rate) => rate.ToString("0.0%", CultureInfo.InvariantCulture);

    private static string Duration(long? micros) => micros switch
    {
        null => "-",
        < 1_000 => $"{micros.Value.ToString(CultureInfo.InvariantCulture)} µs",
        < 1_000_000 => $"{(micros.Value / 1_000d).ToString("0.###", CultureInfo.InvariantCulture)} ms",
        _ => $"{(micros.Value / 1_000_000d).ToString("0.###", CultureInfo.InvariantCulture)} s",
    };

    private static void Write(Utf8JsonWriter json, string path, AuditStatisticsReport report)
    {
        json.WriteStartObject();
        json.WriteString("trail", path);
        WriteTime(json, "from", report.From);
        WriteTime(json, "to", report.To);
        json.WriteNumber("records", report.Records);
        json.WriteStartArray("tools");
        foreach (var tool in report.Tools)
        {
            json.WriteStartObject();
            json.WriteString("tool", tool.ToolName);
            json.WriteNumber("calls", tool.Calls);
            json.WriteNumber("errors", tool.Errors);
            json.WriteNumber("errorRate", tool.ErrorRate);
            WriteNumber(json, "p50Micros", tool.P50Micros);
            WriteNumber(json, "p95Micros", tool.P95Micros);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("days");
        foreach (var day in report.Days)
        {
            json.WriteStartObject();
            json.WriteString("day", day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteNumber("records", day.Records);
            json.WriteNumber("toolCalls", day.ToolCalls);
            json.WriteNumber("toolErrors", day.ToolErrors);
            if (day.ErrorRate is { } rate) json.WriteNumber("errorRate", rate);
            else json.WriteNull("errorRate");
            if (day.Alert is { } alert)
            {
                json.WriteStartObject("alert");
                json.WriteStartArray("kinds");
                foreach (var kind in new[] { VolumeAlertKind.Ceiling, VolumeAlertKind.Deviation })
                    if (alert.Kind.HasFlag(kind))
                        json.WriteStringValue(AuditStatistics.KindName(kind));
                json.WriteEndArray();
                WriteNumber(json, "ceiling", alert.Ceiling);
                WriteDouble(json, "trailingMean", alert.TrailingMean);
                WriteDouble(json, "trailingStandardDeviation", alert.TrailingStandardDeviation);
                WriteDouble(json, "deviationLimit", alert.DeviationLimit);
                json.WriteEndObject();
            }
            else
                json.WriteNull("alert");
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("alertDays");
        foreach (var alert in report.Alerts)
            json.WriteStringValue(alert.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time) json.WriteString(name, time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
        else json.WriteNull(name);
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }

    private static void WriteDouble(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }
}
