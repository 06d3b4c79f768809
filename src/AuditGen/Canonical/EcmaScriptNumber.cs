using System.Globalization;
using System.Text;

namespace AuditGen.Canonical;

/// <summary>
/// Formats a double the way ECMAScript's <c>Number.prototype.toString</c> does, which RFC 8785 §3.2.2.3 adopts:
/// the shortest digits that round-trip, plain notation for exponents in [-6, 21), otherwise <c>d.ddde±n</c>.
/// </summary>
internal static class EcmaScriptNumber
{
    public static string Format(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(nameof(value), value, "RFC 8785 JSON has no representation for NaN or infinity.");
        if (value == 0) return "0"; // also −0

        // .NET Core 3.0+ "R" yields the shortest round-tripping digits; only the layout differs from ECMAScript.
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = roundTrip[0] == '-';
        var body = negative ? roundTrip.AsSpan(1) : roundTrip.AsSpan();

        var exponentIndex = body.IndexOfAny('E', 'e');
        var exponent = exponentIndex >= 0 ? int.Parse(body[(exponentIndex + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var mantissa = exponentIndex >= 0 ? body[..exponentIndex] : body;

        var point = mantissa.IndexOf('.');
        var integerDigits = point >= 0 ? point : mantissa.Length;
        var digits = new StringBuilder(mantissa.Length);
        foreach (var c in mantissa)
            if (c != '.') digits.Append(c);

        // Normalise to digits d1..dk with no leading/trailing zeros and value = 0.d1..dk × 10^n.
        var leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0') leadingZeros++;
        digits.Remove(0, leadingZeros);
        var n = integerDigits - leadingZeros + exponent;
        var trailing = digits.Length;
        while (trailing > 1 && digits[trailing - 1] == '0') trailing--;
        digits.Length = trailing;
        var k = digits.Length;

        var result = new StringBuilder(32);
        if (negative) result.Append('-');
        if (k <= n && n <= 21)
        {
            result.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            result.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            result.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var e = n - 1;
            result.Append(digits[0]);
            if (k > 1) result.Append('.').Append(digits, 1, k - 1);
            result.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
        }

        return result.ToString();
    }
}
