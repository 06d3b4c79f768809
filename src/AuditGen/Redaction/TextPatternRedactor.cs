using System.Text.RegularExpressions;

namespace AuditGen.Redaction;

/// <summary>
/// The pattern pass over free text (exception messages): personal-data shapes are replaced by a marker naming what
/// was there. In one left-to-right scan, the first alternative that matches at a position wins, in this order:
/// <list type="table">
/// <item><term><c>[email]</c></term><description>e-mail addresses</description></item>
/// <item><term><c>[iban]</c></term><description>IBANs: two capital letters, two check digits, 11–30 letters or digits (spaces allowed)</description></item>
/// <item><term><c>[card]</c></term><description>13–19 digits (spaces or dashes allowed) that pass the Luhn check; other such runs are left as they are</description></item>
/// <item><term><c>[ssn]</c></term><description>US social security numbers, <c>123-45-6789</c></description></item>
/// <item><term><c>[mrn]</c></term><description><c>MRN</c> (any case) followed by digits, e.g. <c>MRN-0042</c>, <c>mrn: 77</c></description></item>
/// <item><term><c>[ip]</c></term><description>IPv4 addresses</description></item>
/// <item><term><c>[phone]</c></term><description>phone numbers written with separators (<c>555-123-4567</c>, <c>+44 20 7946 0958</c>, <c>(555) 123 4567</c>) or in E.164 form (<c>+15551234567</c>)</description></item>
/// </list>
/// A scan that exceeds its time limit replaces the whole text with <see cref="TimedOutMarker"/>: the message is lost,
/// never leaked.
/// </summary>
internal static partial class TextPatternRedactor
{
    /// <summary>What a text becomes when the scan times out.</summary>
    public const string TimedOutMarker = "[message redacted: personal-data scan timed out]";

    private const int TimeoutMilliseconds = 500;

    private static readonly MatchEvaluator Evaluator = Replace;

    /// <summary>The text with personal-data patterns replaced by markers.</summary>
    public static string Redact(string text)
    {
        if (text.Length == 0)
            return text;
        try
        {
            return PersonalData().Replace(text, Evaluator);
        }
        catch (RegexMatchTimeoutException)
        {
            // Not swallowed: the outcome is recorded as the marker, and nothing of the text survives.
            return TimedOutMarker;
        }
    }

    /// <summary>Whether the digits of <paramref name="candidate"/> (other characters ignored) pass the Luhn check.</summary>
    public static bool PassesLuhn(ReadOnlySpan<char> candidate)
    {
        var sum = 0;
        var digits = 0;
        var doubleIt = false;
        for (var i = candidate.Length - 1; i >= 0; i--)
        {
            var c = candidate[i];
            if (c is < '0' or > '9')
                continue;
            var digit = c - '0';
            if (doubleIt)
            {
                digit *= 2;
                if (digit > 9)
                    digit -= 9;
            }

            sum += digit;
            digits++;
            doubleIt = !doubleIt;
        }

        return digits > 0 && sum % 10 == 0;
    }

    private static string Replace(Match match)
    {
        var groups = match.Groups;
        if (groups["email"].Success) return "[email]";
        if (groups["iban"].Success) return "[iban]";
        if (groups["card"].Success) return PassesLuhn(match.ValueSpan) ? "[card]" : match.Value;
        if (groups["ssn"].Success) return "[ssn]";
        if (groups["mrn"].Success) return "[mrn]";
        if (groups["ip"].Success) return "[ip]";
        return "[phone]";
    }

    private const string Octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";

    [GeneratedRegex(
        @"(?<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})" +
        @"|(?<iban>\b[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]){11,30}\b)" +
        @"|(?<card>(?<![\w-])[0-9](?:[ -]?[0-9]){12,18}(?![\w-]))" +
        @"|(?<ssn>(?<![\w-])[0-9]{3}-[0-9]{2}-[0-9]{4}(?![\w-]))" +
        @"|(?<mrn>\b(?i:mrn)[-:#\s]*[0-9]+\b)" +
        @"|(?<ip>(?<![\w.])" + Octet + @"(?:\." + Octet + @"){3}(?!\.?[0-9])(?![A-Za-z_]))" +
        @"|(?<phone>(?<![\w+])(?:\+[0-9]{1,3}[ .-]?)?(?:\([0-9]{1,4}\)[ .-]?)?[0-9]{2,4}[ .-][0-9]{3,4}(?:[ .-][0-9]{3,4})?(?![\w])" +
        @"|(?<![\w+])\+[0-9]{7,15}(?![\w]))",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture,
        TimeoutMilliseconds)]
    private static partial Regex PersonalData();
}
