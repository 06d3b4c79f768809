using System.CommandLine;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using Spectre.Console;

namespace AuditGen.Cli.Commands;

/// <summary><c>auditgen verify &lt;trail&gt; [--json]</c>: re-hashes every record and reports the first broken one.</summary>
internal static class VerifyCommand
{
    public static Command Create(CliOutput io)
    {
        var trailArgument = TrailArgument.Create();
        var jsonOption = new Option<bool>("--json") { Description = "Print the result as one JSON object." };
        var command = new Command("verify", "Verify a trail's hash chain. Exit 0: intact; 1: tampered; 3: missing or unreadable.")
        {
            trailArgument,
            jsonOption,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            io, parseResult.GetRequiredValue(trailArgument), parseResult.GetValue(jsonOption), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliOutput io, string path, bool json, CancellationToken cancellationToken)
    {
        VerificationResult result;
        try
        {
            await using var trail = TrailFile.OpenReadOnly(path);
            result = await trail.VerifyAsync(cancellationToken);
        }
        catch (Exception exception) when (TrailFile.Describe(exception, path) is { } message)
        {
            io.Fail(message);
            if (json)
                JsonOutput.WriteLine(io.Out, w => WriteUnavailable(w, path, message));
            return ExitCodes.TrailUnavailable;
        }

        if (json)
            JsonOutput.WriteLine(io.Out, w => WriteResult(w, path, result));
        else
            Render(io.Console, path, result);
        return result.IsValid ? ExitCodes.Success : ExitCodes.Tampered;
    }

    private static void Render(IAnsiConsole console, string path, VerificationResult result)
    {
        console.MarkupLineInterpolated($"Trail: {path}");
        console.MarkupLineInterpolated($"Records checked: {result.RecordsChecked}");
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

    private static void WriteResult(System.Text.Json.Utf8JsonWriter json, string path, VerificationResult result)
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
