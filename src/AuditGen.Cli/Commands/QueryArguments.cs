using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace AuditGen.Cli.Commands;

/// <summary>Parsers for the values <c>query</c> takes; a bad value becomes a parse error (exit code 2) naming the option.</summary>
internal static class QueryArguments
{
    /// <summary>An ISO 8601 instant option (<c>--from</c>, <c>--to</c>, ...), parsed by <see cref="ParseTime"/>.</summary>
    public static Option<DateTimeOffset?> TimeOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "time",
        CustomParser = result => ParseTime(result, name),
    };

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

    public static AuditOutcome? ParseOutcome(ArgumentResult result)
    {
        var text = SingleToken(result);
        if (AuditWireNames.TryParseOutcome(text, out var outcome))
            return outcome;
        result.AddError($"--outcome: unknown outcome '{text}'. Use one of: {string.Join(", ", Enum.GetValues<AuditOutcome>().Select(o => o.ToWireName()))}.");
        return null;
    }

    public static DataClass? ParseClassification(ArgumentResult result)
    {
        var text = SingleToken(result);
        if (AuditWireNames.TryParseDataClass(text, out var classification))
            return classification;
        result.AddError($"--min-classification: unknown classification '{text}'. Use one of: {string.Join(", ", Enum.GetValues<DataClass>().Select(c => c.ToWireName()))}.");
        return null;
    }

    public static AuditGen.Queries.AuditReaderRole? ParseRole(ArgumentResult result)
    {
        var text = SingleToken(result);
        if (AuditGen.Queries.AuditReaderRoles.TryParse(text, out var role))
            return role;
        result.AddError($"--role: unknown role '{text}'. Use one of: auditor (everything in full), admin (restricted records redacted), operator (confidential and restricted records redacted).");
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
