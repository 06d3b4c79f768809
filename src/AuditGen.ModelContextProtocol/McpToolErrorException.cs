namespace AuditGen.ModelContextProtocol;

/// <summary>
/// Stands for a tools/call whose result came back with <c>isError: true</c> (the tool reported a failure as a result
/// rather than by throwing): the call is recorded as <c>tool_failed</c> with this type and the result's text, scrubbed
/// like any exception message. It is never thrown to the client. A tool that throws is recorded with its own
/// exception's type.
/// </summary>
public sealed class McpToolErrorException : Exception
{
    /// <summary>Creates the exception with the error result's text.</summary>
    public McpToolErrorException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public McpToolErrorException() { }

    /// <summary>Creates the exception with an inner exception.</summary>
    public McpToolErrorException(string message, Exception innerException) : base(message, innerException) { }
}
