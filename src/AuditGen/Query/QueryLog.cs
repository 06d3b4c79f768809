using Microsoft.Extensions.Logging;

namespace AuditGen.Queries;

/// <summary>Log messages of statistics passes (category <c>AuditGen</c>). Days and counts only.</summary>
internal static class QueryLog
{
    private static readonly Action<ILogger, DateOnly, long, string, string, Exception?> VolumeAlertMessage =
        LoggerMessage.Define<DateOnly, long, string, string>(
            LogLevel.Warning,
            new EventId(1101, "AuditVolumeAlert"),
            "Audit volume alert for {Day:yyyy-MM-dd} (UTC): {Records} records broke the {Rules} rule ({Figures}).");

    private static readonly Action<ILogger, DateOnly, Exception?> AlertSinkFailedMessage =
        LoggerMessage.Define<DateOnly>(
            LogLevel.Error,
            new EventId(1102, "AuditVolumeAlertSinkFailed"),
            "The audit alert sink threw while being told about the volume alert for {Day:yyyy-MM-dd}.");

    public static void VolumeAlert(ILogger logger, VolumeAlert alert)
    {
        var rules = alert.Kind switch
        {
            VolumeAlertKind.Ceiling => "ceiling",
            VolumeAlertKind.Deviation => "deviation",
            _ => "ceiling and deviation",
        };
        var figures = FormattableString.Invariant(
            $"ceiling {(alert.Ceiling is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")}, trailing mean {Format(alert.TrailingMean)}, σ {Format(alert.TrailingStandardDeviation)}, limit {Format(alert.DeviationLimit)}");
        VolumeAlertMessage(logger, alert.Day, alert.Records, rules, figures, null);
    }

    public static void AlertSinkFailed(ILogger logger, DateOnly day, Exception exception) => AlertSinkFailedMessage(logger, day, exception);

    private static string Format(double? value) =>
        value is { } v ? v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : "n/a (short history)";
}
