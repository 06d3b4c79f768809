namespace AuditGen;

/// <summary>An error as recorded: the exception type and a redacted message.</summary>
/// <param name="Type">The exception's full type name.</param>
/// <param name="Message">The message with classified values and personal-data patterns removed.</param>
public sealed record AuditError(string Type, string Message);
