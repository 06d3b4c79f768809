namespace AuditGen;

/// <summary>
/// Redaction for values that must reach a log, console or trace message: AUDIT004's code fix wraps a classified
/// value in <see cref="Erase{T}(T)"/>. A log is not an audit trail (it is copied and kept without the trail's
/// redaction), so nothing of the value is kept; correlate through the audit trail's HMAC pseudonyms instead.
/// </summary>
public static class LogRedaction
{
    /// <summary>The text written in place of an erased value (the same marker the audit trail records).</summary>
    public const string ErasedMarker = "[erased]";

    /// <summary>Returns <see cref="ErasedMarker"/>, whatever <paramref name="value"/> is.</summary>
    /// <typeparam name="T">The value's type (generic, so a value type is not boxed).</typeparam>
    /// <param name="value">The classified value; it is not read.</param>
    /// <returns><see cref="ErasedMarker"/>.</returns>
    public static string Erase<T>(T value) => ErasedMarker;
}
