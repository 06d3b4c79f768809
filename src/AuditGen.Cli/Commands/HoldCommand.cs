using System.CommandLine;
using System.Globalization;
using AuditGen.Canonical;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using AuditGen.Retention;
using Spectre.Console;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen hold add|list|release</c>: legal holds, placed and released as records in the trail itself
/// (<see cref="LegalHolds"/>). <c>add</c> and <c>release</c> take the trail's write lock.
/// </summary>
internal static class HoldCommand
{
    public static Command Create(CliOutput io) =>
        new("hold", "Place, list and release legal holds: records they cover are never archived by retention while they are active.")
        {
            CreateAdd(io), CreateList(io), CreateRelease(io),
        };

    private static Command CreateAdd(CliOutput io)
    {
        var trailArgument = TrailArgument.Create();
        var conversation = new Option<string?>("--conversation") { Description = "Hold every record of this conversation id.", HelpName = "id" };
        var subject = new Option<string?>("--subject") { Description = "Hold every record about this data subject (as stored in the records).", HelpName = "id" };
        var user = new Option<string?>("--user") { Description = "Hold every record on behalf of this user id.", HelpName = "id" };
        var from = QueryArguments.TimeOption("--from", "Hold records at or after this time (ISO 8601; UTC when no offset).");
        var to = QueryArguments.TimeOption("--to", "Hold records before this time (ISO 8601; UTC when no offset).");
        var reason = new Option<string>("--reason") { Description = "Why: the matter or case the records are preserved for.", HelpName = "text", Required = true };
        var by = new Option<string>("--by") { Description = "Who places the hold.", HelpName = "who", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the hold as one JSON object." };
        var command = new Command("add",
            "Place a legal hold on a conversation, subject, user or time range. Exit 0: placed; 2: bad scope, missing reason; 3: missing, unreadable or locked.")
        {
            trailArgument, conversation, subject, user, from, to, reason, by, json,
        };
        command.Validators.Add(result =>
        {
            var scopes = new[] { result.GetValue(conversation) is not null, result.GetValue(subject) is not null, result.GetValue(user) is not null,
                result.GetValue(from) is not null || result.GetValue(to) is not null }.Count(set => set);
            if (scopes != 1)
                result.AddError("Give exactly one scope: --conversation ID, --subject ID, --user ID, or a time range --from/--to.");
            if (result.GetValue(from) is { } start && result.GetValue(to) is { } end && start >= end)
                result.AddError($"--from ({start.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}) must be before --to ({end.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}).");
            if (result.GetValue(reason) is { } text && string.IsNullOrWhiteSpace(text))
                result.AddError("--reason must not be empty: say which matter or case the records are held for.");
            if (result.GetValue(by) is { } who && string.IsNullOrWhiteSpace(who))
                result.AddError("--by must not be empty: say who places the hold.");
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            LegalHoldScope scope;
            try
            {
                scope = parseResult.GetValue(conversation) is { } c ? LegalHoldScope.Conversation(c)
                    : parseResult.GetValue(subject) is { } s ? LegalHoldScope.Subject(s)
                    : parseResult.GetValue(user) is { } u ? LegalHoldScope.User(u)
                    : LegalHoldScope.TimeRange(parseResult.GetValue(from), parseResult.GetValue(to));
            }
            catch (ArgumentException e)
            {
                io.Fail(e.Message);
                return ExitCodes.UsageError;
            }
            var path = parseResult.GetRequiredValue(trailArgument);
            try
            {
                await using var trail = TrailFile.OpenForWriting(path, new AuditTrailOptions());
                var hold = await LegalHolds.PlaceAsync(trail, scope, parseResult.GetRequiredValue(reason), parseResult.GetRequiredValue(by), cancellationToken);
                if (parseResult.GetValue(json))
                    JsonOutput.WriteLine(io.Out, w => WriteHold(w, hold));
                else
                    io.Console.MarkupLineInterpolated($"Placed legal hold [bold]{hold.Id.ToString("D")}[/] on {hold.Scope} (record {hold.PlacedSequence}).");
                return ExitCodes.Success;
            }
            catch (Exception exception) when (TrailFile.Describe(exception, path) is { } message)
            {
                io.Fail(message);
                return ExitCodes.TrailUnavailable;
            }
        });
        return command;
    }

    private static Command CreateList(CliOutput io)
    {
        var trailArgument = TrailArgument.Create();
        var all = new Option<bool>("--all") { Description = "Also list released holds." };
        var json = new Option<bool>("--json") { Description = "Print JSON Lines: one hold per line." };
        var command = new Command("list", "List the active legal holds (with --all, released ones too). Exit 0: listed; 3: missing or unreadable.")
        {
            trailArgument, all, json,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetRequiredValue(trailArgument);
            IReadOnlyList<LegalHold> holds;
            try
            {
                await using var trail = TrailFile.OpenReadOnly(path);
                holds = parseResult.GetValue(all)
                    ? await LegalHolds.ReadAllAsync(trail, cancellationToken)
                    : await LegalHolds.ReadActiveAsync(trail, cancellationToken);
            }
            catch (Exception exception) when (TrailFile.Describe(exception, path) is { } message)
            {
                io.Fail(message);
                return ExitCodes.TrailUnavailable;
            }
            if (parseResult.GetValue(json))
            {
                foreach (var hold in holds)
                    JsonOutput.WriteLine(io.Out, w => WriteHold(w, hold));
                return ExitCodes.Success;
            }
            if (holds.Count == 0)
            {
                io.Console.WriteLine(parseResult.GetValue(all) ? "No legal holds were ever placed." : "No active legal holds.");
                return ExitCodes.Success;
            }
            io.Console.Write(HoldsTable(holds));
            io.Console.WriteLine(holds.Count == 1 ? "1 hold" : $"{holds.Count.ToString(CultureInfo.InvariantCulture)} holds");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateRelease(CliOutput io)
    {
        var trailArgument = TrailArgument.Create();
        var holdId = new Argument<Guid>("holdId")
        {
            Description = "The hold's id, as 'hold add' or 'hold list' printed it.",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (Guid.TryParseExact(text, "D", out var id))
                    return id;
                result.AddError($"'{text}' is not a hold id: give the id 'hold list' prints (e.g. 0190a5d2-7c3e-7b1a-9f00-3c5e8d2a1b40).");
                return Guid.Empty;
            },
        };
        var reason = new Option<string>("--reason") { Description = "Why the hold ends (e.g. the matter was closed).", HelpName = "text", Required = true };
        var by = new Option<string>("--by") { Description = "Who releases the hold.", HelpName = "who", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the released hold as one JSON object." };
        var command = new Command("release", "Release a legal hold. Exit 0: released; 2: unknown or already released hold, missing reason; 3: missing, unreadable or locked.")
        {
            trailArgument, holdId, reason, by, json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(reason) is { } text && string.IsNullOrWhiteSpace(text))
                result.AddError("--reason must not be empty: say why the hold ends.");
            if (result.GetValue(by) is { } who && string.IsNullOrWhiteSpace(who))
                result.AddError("--by must not be empty: say who releases the hold.");
        });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetRequiredValue(trailArgument);
            try
            {
                await using var trail = TrailFile.OpenForWriting(path, new AuditTrailOptions());
                var hold = await LegalHolds.ReleaseAsync(trail, parseResult.GetValue(holdId), parseResult.GetRequiredValue(reason), parseResult.GetRequiredValue(by), cancellationToken);
                if (parseResult.GetValue(json))
                    JsonOutput.WriteLine(io.Out, w => WriteHold(w, hold));
                else
                    io.Console.MarkupLineInterpolated($"Released legal hold [bold]{hold.Id.ToString("D")}[/] on {hold.Scope} (record {hold.Release!.Sequence}).");
                return ExitCodes.Success;
            }
            catch (LegalHoldException e)
            {
                io.Fail(e.Message);
                return ExitCodes.UsageError;
            }
            catch (Exception exception) when (TrailFile.Describe(exception, path) is { } message)
            {
                io.Fail(message);
                return ExitCodes.TrailUnavailable;
            }
        });
        return command;
    }

    internal static Table HoldsTable(IEnumerable<LegalHold> holds, IReadOnlyDictionary<Guid, long>? held = null)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("Hold", "Scope", "Reason", "Placed by", "Placed (UTC)", "Status");
        if (held is not null)
            table.AddColumn(new TableColumn("Records held").RightAligned());
        foreach (var hold in holds)
        {
            var status = hold.Release is { } release
                ? $"released by {release.ReleasedBy} at {AuditRecordCodec.FormatTimestamp(release.ReleasedAt)}"
                : "active";
            var cells = new List<Text>
            {
                new(hold.Id.ToString("D")), new(hold.Scope.ToString()), new(hold.Reason), new(hold.PlacedBy),
                new(AuditRecordCodec.FormatTimestamp(hold.PlacedAt)), new(status),
            };
            if (held is not null)
                cells.Add(new Text(held.GetValueOrDefault(hold.Id).ToString(CultureInfo.InvariantCulture)));
            table.AddRow(cells);
        }
        return table;
    }

    internal static void WriteHold(System.Text.Json.Utf8JsonWriter json, LegalHold hold)
    {
        json.WriteStartObject();
        json.WriteString("holdId", hold.Id.ToString("D"));
        json.WriteStartObject("scope");
        json.WriteString("kind", LegalHoldScope.WireName(hold.Scope.Kind));
        if (hold.Scope.Kind == LegalHoldScopeKind.TimeRange)
        {
            WriteTime(json, "from", hold.Scope.From);
            WriteTime(json, "to", hold.Scope.To);
        }
        else
        {
            json.WriteString("value", hold.Scope.Value);
        }
        json.WriteEndObject();
        json.WriteString("reason", hold.Reason);
        json.WriteString("placedBy", hold.PlacedBy);
        json.WriteString("placedAt", AuditRecordCodec.FormatTimestamp(hold.PlacedAt));
        json.WriteNumber("placedSequence", hold.PlacedSequence);
        json.WriteBoolean("active", hold.IsActive);
        if (hold.Release is { } release)
        {
            json.WriteStartObject("release");
            json.WriteString("releasedBy", release.ReleasedBy);
            json.WriteString("reason", release.Reason);
            json.WriteString("releasedAt", AuditRecordCodec.FormatTimestamp(release.ReleasedAt));
            json.WriteNumber("sequence", release.Sequence);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("release");
        }
        json.WriteEndObject();
    }

    private static void WriteTime(System.Text.Json.Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time) json.WriteString(name, AuditRecordCodec.FormatTimestamp(time));
        else json.WriteNull(name);
    }
}
