using System.CommandLine;
using System.Globalization;
using AuditGen.Canonical;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using AuditGen.Retention;
using Spectre.Console;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen retention plan &lt;trail&gt; [--at TIME] [--config FILE] [--json]</c>: what retention would archive and why,
/// what legal holds keep back, counts per policy. Reads only. <c>retention apply</c> is in <c>RetentionCommand.Apply.cs</c>.
/// </summary>
internal static partial class RetentionCommand
{
    private const int RowsShown = 20;

    public static Command Create(CliOutput io) =>
        new("retention", "Plan and apply retention: archive records whose regime's period has ended, unless a legal hold covers them.")
        {
            CreatePlan(io),
            CreateApply(io),
        };

    private static Option<string?> ConfigOption() => new("--config")
    {
        Description = "The application's JSON settings file; its AuditTrail:Retention block (custom policies, domain mappings, GDPR and EU AI Act periods) is used. Default: the built-in policies.",
        HelpName = "file",
    };

    private static Option<string> SectionOption() => new("--section")
    {
        Description = "The settings section holding the Retention block.",
        HelpName = "name",
        DefaultValueFactory = _ => "AuditTrail",
    };

    private static Command CreatePlan(CliOutput io)
    {
        var trailTarget = new TrailTargetOptions();
        var at = QueryArguments.TimeOption("--at", "Plan for this instant instead of now (ISO 8601; UTC when no offset). Holds are those active now.");
        var config = ConfigOption();
        var section = SectionOption();
        var json = new Option<bool>("--json") { Description = "Print JSON Lines: one line per record archived or held back, then a summary line." };
        var command = new Command("plan",
            "Show what retention would archive and why, and what legal holds keep back. Writes nothing. Exit 0: planned; 2: bad configuration or time; 3: missing or unreadable.")
        {
            at, config, section, json,
        };
        trailTarget.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => PlanAsync(io, trailTarget.Resolve(parseResult), parseResult.GetValue(at),
            parseResult.GetValue(config), parseResult.GetRequiredValue(section), parseResult.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> PlanAsync(CliOutput io, TrailTarget target, DateTimeOffset? at, string? configPath, string section, bool json, CancellationToken cancellationToken)
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

        var archived = new List<RetentionDecision>();
        var held = new List<RetentionDecision>();
        RetentionPlan plan;
        try
        {
            await using var trail = await target.OpenReadOnlyAsync(cancellationToken);
            var total = await trail.TreeSizeAsync(cancellationToken);
            plan = await WorkProgress.RunAsync(io, "Planning", total, progress => RetentionPlan.CreateAsync(trail.Trail, policies, at,
                decision =>
                {
                    if (decision.Disposition is not (RetentionDisposition.Expired or RetentionDisposition.Held))
                        return;
                    if (json)
                        JsonOutput.WriteLine(io.Out, w => WriteDecision(w, decision));
                    else if ((decision.Disposition == RetentionDisposition.Expired ? archived : held) is { Count: < RowsShown } rows)
                        rows.Add(decision);
                },
                progress, cancellationToken));
        }
        catch (Exception exception) when (target.Describe(exception) is { } message)
        {
            io.Fail(message);
            return ExitCodes.TrailUnavailable;
        }

        if (json)
            JsonOutput.WriteLine(io.Out, w => WriteSummary(w, plan));
        else
            Render(io.Console, plan, archived, held);
        return ExitCodes.Success;
    }

    private static void Render(IAnsiConsole console, RetentionPlan plan, List<RetentionDecision> archived, List<RetentionDecision> held)
    {
        console.MarkupLineInterpolated($"Retention plan at {AuditRecordCodec.FormatTimestamp(Micro(plan.At))} under policy set {plan.Policies.Fingerprint}{(plan.PolicySetChanged ? " (not yet recorded in the trail: apply records it first)" : "")}");
        console.MarkupLineInterpolated($"Records: {plan.RecordsEvaluated}; to archive: {plan.Sequences.Count}; held back: {plan.Held}; kept: {plan.Kept}; lifecycle (never expire): {plan.Lifecycle}");

        if (plan.PerPolicy.Count > 0)
        {
            var policies = new Table().Border(TableBorder.Rounded).Title("Per policy");
            policies.AddColumns("Policy", "Retention", "Hot");
            foreach (var name in new[] { "Records", "Archive", "Held", "Kept", "Hot now" })
                policies.AddColumn(new TableColumn(name).RightAligned());
            foreach (var count in plan.PerPolicy)
            {
                policies.AddRow(new Text(count.Policy.Name), new Text(count.Policy.Retention.ToString()), new Text(count.Policy.Hot?.ToString() ?? "-"),
                    Number(count.Records), Number(count.Expired), Number(count.Held), Number(count.Kept), Number(count.Hot));
            }
            console.Write(policies);
        }

        if (plan.ActiveHolds.Count > 0)
        {
            console.Write(HoldCommand.HoldsTable(plan.ActiveHolds, plan.Holds.ToDictionary(h => h.Hold.Id, h => h.RecordsHeld)).Title("Active legal holds"));
        }

        if (archived.Count > 0)
        {
            var table = DecisionTable("Would be archived");
            foreach (var decision in archived)
                AddDecision(table, decision);
            console.Write(table);
            More(console, plan.Sequences.Count, archived.Count);
        }

        if (held.Count > 0)
        {
            var table = DecisionTable("Held back");
            table.AddColumn("Held by");
            foreach (var decision in held)
                AddDecision(table, decision, string.Join(", ", decision.HeldBy.Select(h => h.Id.ToString("D"))));
            console.Write(table);
            More(console, plan.Held, held.Count);
        }

        console.WriteLine(plan.Sequences.Count == 0 ? "Nothing to archive." : $"{Plural(plan.Sequences.Count, "record")} would be archived.");
        if (plan.NextExpiry is { } next)
            console.WriteLine($"Next expiry: {AuditRecordCodec.FormatTimestamp(next)}");
    }

    private static Table DecisionTable(string title)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(title);
        table.AddColumn(new TableColumn("Seq").RightAligned());
        table.AddColumns("Time (UTC)", "Action", "Domains", "Policy", "Expired at (UTC)");
        return table;
    }

    private static void AddDecision(Table table, RetentionDecision decision, string? heldBy = null)
    {
        var cells = new List<Text>
        {
            Number(decision.Sequence), new(AuditRecordCodec.FormatTimestamp(decision.Timestamp)), new(decision.Action.ToWireName()),
            new(decision.Domains == ComplianceDomain.None ? "-" : string.Join(",", decision.Domains.ToWireNames())),
            new(decision.Policy!.Name), new(AuditRecordCodec.FormatTimestamp(decision.ExpiresAt!.Value)),
        };
        if (heldBy is not null)
            cells.Add(new Text(heldBy));
        table.AddRow(cells);
    }

    private static void More(IAnsiConsole console, long total, int shown)
    {
        if (total > shown)
            console.WriteLine($"... and {Plural(total - shown, "more record")} (--json lists every one).");
    }

    private static void WriteDecision(System.Text.Json.Utf8JsonWriter json, RetentionDecision decision)
    {
        json.WriteStartObject();
        json.WriteString("kind", "record");
        json.WriteNumber("sequence", decision.Sequence);
        json.WriteString("timestamp", AuditRecordCodec.FormatTimestamp(decision.Timestamp));
        json.WriteString("action", decision.Action.ToWireName());
        json.WriteStartArray("domains");
        foreach (var name in decision.Domains.ToWireNames())
            json.WriteStringValue(name);
        json.WriteEndArray();
        json.WriteString("disposition", decision.Disposition == RetentionDisposition.Expired ? "archive" : "held");
        json.WriteString("policy", decision.Policy!.Name);
        json.WriteString("expiresAt", AuditRecordCodec.FormatTimestamp(decision.ExpiresAt!.Value));
        json.WriteStartArray("heldBy");
        foreach (var hold in decision.HeldBy)
            json.WriteStringValue(hold.Id.ToString("D"));
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSummary(System.Text.Json.Utf8JsonWriter json, RetentionPlan plan)
    {
        json.WriteStartObject();
        json.WriteString("kind", "summary");
        json.WriteBoolean("policySetChanged", plan.PolicySetChanged);
        if (plan.NextExpiry is { } next) json.WriteString("nextExpiry", AuditRecordCodec.FormatTimestamp(next));
        else json.WriteNull("nextExpiry");
        json.WritePropertyName("plan");
        json.WriteRawValue(plan.ToDetailsJson(), skipInputValidation: true);
        json.WriteEndObject();
    }

    private static DateTimeOffset Micro(DateTimeOffset value) => new(value.UtcTicks - value.UtcTicks % 10, TimeSpan.Zero);

    private static Text Number(long value) => new(value.ToString(CultureInfo.InvariantCulture));

    private static string Plural(long count, string noun) =>
        count == 1 ? $"1 {noun}" : $"{count.ToString("N0", CultureInfo.InvariantCulture)} {noun}s";
}
