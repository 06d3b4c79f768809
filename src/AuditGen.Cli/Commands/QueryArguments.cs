using System.CommandLine.Parsing;
using System.Globalization;

namespace AuditGen.Cli.Commands;

/// <summary>Parsers for the values <c>query</c> takes; a bad value becomes a parse error (exit code 2) naming the option.</summary>
internal static class QueryArguments
{
    public static DateTimeOffset? ParseTime(ArgumentResult result, string optionName)
    {
        var text = SingleToken(result);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var value))
            return value.ToUniversalTime();

        result.AddError($"{optionName}: '{text}' is not a date/time. Use ISO 8601, e.g. 2025-01-31T09:00:00Z (no offset means UTC).");
        return null;
    }

    public static AuditAction? ParseAction(ArgumentResult result)
    {
        var text = SingleToken(result);
        if (AuditWireNames.TryParseAction(text, out var action))
            return action;

        var known = string.Join(", ", Enum.GetValues<AuditAction>().Select(a => a.ToWireName()));
        result.AddError($"--action: unknown action '{text}'. Use a snake_case wire name: {known}.");
        return null;
    }

    public static int? ParseLimit(ArgumentResult result)
    {
        var text = SingleToken(result);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0)
            return limit;

        result.AddError($"--limit: '{text}' is not a positive whole number.");
        return null;
    }

    private static string SingleToken(ArgumentResult result) =>
        result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
}
