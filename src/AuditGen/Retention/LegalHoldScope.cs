using AuditGen.Canonical;

namespace AuditGen.Retention;

/// <summary>What a legal hold's scope is drawn around.</summary>
public enum LegalHoldScopeKind
{
    /// <summary>Every record of one conversation (<see cref="AuditRecord.ConversationId"/>).</summary>
    Conversation,
    /// <summary>Every record about one data subject (<see cref="AuditRecord.SubjectId"/>, as stored: pseudonymised where classified).</summary>
    Subject,
    /// <summary>Every record on behalf of one user (<see cref="AuditRecord.UserId"/>).</summary>
    User,
    /// <summary>Every record whose timestamp falls in a half-open range [from, to).</summary>
    TimeRange,
}

/// <summary>
/// The records a legal hold covers: one conversation, subject or user (matched exactly, ordinal, against the value
/// stored in the record), or a half-open time range <c>[From, To)</c> where either end may be open.
/// </summary>
public sealed record LegalHoldScope
{
    private LegalHoldScope(LegalHoldScopeKind kind, string? value, DateTimeOffset? from, DateTimeOffset? to)
    {
        Kind = kind;
        Value = value;
        From = from;
        To = to;
    }

    /// <summary>What the scope is drawn around.</summary>
    public LegalHoldScopeKind Kind { get; }

    /// <summary>The conversation, subject or user id; <see langword="null"/> for a time range.</summary>
    public string? Value { get; }

    /// <summary>The first instant covered (inclusive) of a time range; <see langword="null"/>: from the beginning.</summary>
    public DateTimeOffset? From { get; }

    /// <summary>The first instant no longer covered (exclusive) of a time range; <see langword="null"/>: with no end.</summary>
    public DateTimeOffset? To { get; }

    /// <summary>Every record of conversation <paramref name="conversationId"/>.</summary>
    public static LegalHoldScope Conversation(string conversationId) => new(LegalHoldScopeKind.Conversation, RequireId(conversationId, nameof(conversationId)), null, null);

    /// <summary>Every record about data subject <paramref name="subjectId"/> (as stored in the records).</summary>
    public static LegalHoldScope Subject(string subjectId) => new(LegalHoldScopeKind.Subject, RequireId(subjectId, nameof(subjectId)), null, null);

    /// <summary>Every record on behalf of user <paramref name="userId"/>.</summary>
    public static LegalHoldScope User(string userId) => new(LegalHoldScopeKind.User, RequireId(userId, nameof(userId)), null, null);

    /// <summary>Every record stamped at or after <paramref name="from"/> and before <paramref name="to"/>; give at least one end.</summary>
    /// <exception cref="ArgumentException">Neither end is given, or the range is empty or backwards.</exception>
    public static LegalHoldScope TimeRange(DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is null && to is null)
            throw new ArgumentException("A time-range legal hold needs a start, an end, or both.", nameof(from));
        if (from is { } start && to is { } end && start >= end)
        {
            throw new ArgumentException(
                $"The legal hold's time range is backwards or empty: from {Format(start)} is not before to {Format(end)}.",
                nameof(to));
        }
        return new(LegalHoldScopeKind.TimeRange, null, Floor(from), Ceiling(to));
    }

    /// <summary>Whether <paramref name="record"/> falls inside this scope.</summary>
    public bool Covers(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Kind switch
        {
            LegalHoldScopeKind.Conversation => string.Equals(record.ConversationId, Value, StringComparison.Ordinal),
            LegalHoldScopeKind.Subject => string.Equals(record.SubjectId, Value, StringComparison.Ordinal),
            LegalHoldScopeKind.User => string.Equals(record.UserId, Value, StringComparison.Ordinal),
            _ => (From is not { } from || record.Timestamp >= from) && (To is not { } to || record.Timestamp < to),
        };
    }

    /// <summary>A short description for people, e.g. <c>conversation c-17</c> or <c>2025-01-01T00:00:00.000000Z .. (open)</c>.</summary>
    public override string ToString() => Kind switch
    {
        LegalHoldScopeKind.Conversation => $"conversation {Value}",
        LegalHoldScopeKind.Subject => $"subject {Value}",
        LegalHoldScopeKind.User => $"user {Value}",
        _ => $"time {(From is { } f ? AuditRecordCodec.FormatTimestamp(f) : "(open)")} .. {(To is { } t ? AuditRecordCodec.FormatTimestamp(t) : "(open)")}",
    };

    /// <summary>The scope kind's wire name: <c>conversation</c>, <c>subject</c>, <c>user</c> or <c>time_range</c>.</summary>
    public static string WireName(LegalHoldScopeKind kind) => kind switch
    {
        LegalHoldScopeKind.Conversation => "conversation",
        LegalHoldScopeKind.Subject => "subject",
        LegalHoldScopeKind.User => "user",
        LegalHoldScopeKind.TimeRange => "time_range",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown legal hold scope."),
    };

    internal static bool TryParseWireName(string? name, out LegalHoldScopeKind kind)
    {
        foreach (var candidate in Enum.GetValues<LegalHoldScopeKind>())
        {
            if (WireName(candidate) == name)
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }

    private static string RequireId(string value, string parameter)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException("A legal hold's scope needs a non-empty id.", parameter);
        return value;
    }

    // Records carry microsecond timestamps; a hold's bounds are widened to whole microseconds (never narrowed), so the
    // recorded scope is exactly the applied one and covers at least what was asked.
    private static DateTimeOffset? Floor(DateTimeOffset? value) =>
        value is { } v ? new DateTimeOffset(v.UtcTicks - v.UtcTicks % 10, TimeSpan.Zero) : null;

    private static DateTimeOffset? Ceiling(DateTimeOffset? value) =>
        value is { } v ? new DateTimeOffset(v.UtcTicks + (10 - v.UtcTicks % 10) % 10, TimeSpan.Zero) : null;

    private static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
