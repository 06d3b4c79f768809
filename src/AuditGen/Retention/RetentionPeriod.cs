using System.Globalization;
using System.Text;

namespace AuditGen.Retention;

/// <summary>
/// A calendar period: years, months and days, written as an ISO 8601 duration without a time part (<c>P6Y</c>,
/// <c>P6M</c>, <c>P1Y6M</c>, <c>P90D</c>, <c>P2W</c>). It is added to a record's UTC timestamp in calendar terms:
/// <c>P1Y</c> from 2025-03-14T09:26Z ends at 2026-03-14T09:26Z, whatever the number of days in between.
/// </summary>
/// <remarks>
/// Leap days and short months never shorten a period: when the same day does not exist in the month reached (a
/// record of 29 February kept one year; 31 January plus one month), the period ends at the start of the following
/// day instead, at the same time of day (1 March). Retention is a minimum, so the rounding is always later, never earlier.
/// </remarks>
/// <param name="Years">Whole years.</param>
/// <param name="Months">Whole months beyond the years.</param>
/// <param name="Days">Whole days beyond the months.</param>
public readonly record struct RetentionPeriod(int Years, int Months, int Days)
{
    /// <summary>The period's months, counting each year as 12.</summary>
    public int TotalMonths => Years * 12 + Months;

    /// <summary>Whether the period is zero or has a negative part.</summary>
    public bool IsZeroOrNegative => Years < 0 || Months < 0 || Days < 0 || (Years == 0 && Months == 0 && Days == 0);

    /// <summary><paramref name="years"/> calendar years.</summary>
    public static RetentionPeriod FromYears(int years) => new(years, 0, 0);

    /// <summary><paramref name="months"/> calendar months.</summary>
    public static RetentionPeriod FromMonths(int months) => new(0, months, 0);

    /// <summary>The instant this period after <paramref name="start"/> ends (UTC), by the calendar rule above.</summary>
    public DateTimeOffset AddTo(DateTimeOffset start)
    {
        var utc = start.UtcDateTime;
        var end = utc.AddMonths(TotalMonths);
        if (end.Day != utc.Day)
            end = end.Date.AddDays(1) + utc.TimeOfDay; // the day did not exist in that month: end at the next day instead
        return new DateTimeOffset(end.AddDays(Days), TimeSpan.Zero);
    }

    /// <summary>
    /// Whether this period is at least as long as <paramref name="other"/> from every start: either it has at least as
    /// many months and days, or its shortest possible length in days reaches the other's longest.
    /// </summary>
    public bool IsAtLeast(RetentionPeriod other) =>
        (TotalMonths >= other.TotalMonths && Days >= other.Days) || MinimumDays >= other.MaximumDays;

    private long MinimumDays => TotalMonths / 12 * 365L + TotalMonths % 12 * 28L + Days;

    private long MaximumDays => TotalMonths / 12 * 366L + TotalMonths % 12 * 31L + Days + 1;

    /// <summary>Parses an ISO 8601 date duration such as <c>P6Y</c>, <c>P1Y6M</c> or <c>P90D</c> (weeks count as 7 days).</summary>
    public static bool TryParse(string? text, out RetentionPeriod period)
    {
        period = default;
        if (string.IsNullOrEmpty(text) || text.Length < 3 || text[0] != 'P')
            return false;
        int years = 0, months = 0, days = 0, order = -1;
        var i = 1;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
                i++;
            if (i == start || i == text.Length || i - start > 6)
                return false;
            var value = int.Parse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture);
            var unit = "YMWD".IndexOf(text[i]);
            if (unit <= order)
                return false; // unknown, repeated or out-of-order unit (or a time part, 'T')
            order = unit;
            switch (unit)
            {
                case 0: years = value; break;
                case 1: months = value; break;
                case 2: days += value * 7; break;
                default: days += value; break;
            }
            i++;
        }
        period = new RetentionPeriod(years, months, days);
        return !period.IsZeroOrNegative;
    }

    /// <summary>Parses like <see cref="TryParse"/>.</summary>
    /// <exception cref="FormatException">The text is not a positive ISO 8601 date duration.</exception>
    public static RetentionPeriod Parse(string text) =>
        TryParse(text, out var period) ? period
            : throw new FormatException($"'{text}' is not a retention period. Use a positive ISO 8601 duration of years, months, weeks or days, e.g. P6Y, P6M, P1Y6M, P90D.");

    /// <summary>The ISO 8601 form, e.g. <c>P1Y6M</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("P");
        if (Years != 0) text.Append(Years.ToString(CultureInfo.InvariantCulture)).Append('Y');
        if (Months != 0) text.Append(Months.ToString(CultureInfo.InvariantCulture)).Append('M');
        if (Days != 0 || text.Length == 1) text.Append(Days.ToString(CultureInfo.InvariantCulture)).Append('D');
        return text.ToString();
    }
}
