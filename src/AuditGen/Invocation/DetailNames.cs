using System.Text.Json;

namespace AuditGen;

/// <summary>The property names of tool records' <c>Details</c>, pre-encoded once.</summary>
internal static class DetailNames
{
    /// <summary>The call id shared by a call's records.</summary>
    public static readonly JsonEncodedText CallId = JsonEncodedText.Encode("callId");
    /// <summary>The model's tool-call id (<see cref="AuditContext.ToolCallId"/>), when the call came from a model.</summary>
    public static readonly JsonEncodedText ToolCallId = JsonEncodedText.Encode("toolCallId");
    /// <summary>The arguments object of <c>tool_invoked</c>.</summary>
    public static readonly JsonEncodedText Arguments = JsonEncodedText.Encode("arguments");
    /// <summary><c>data_accessed</c> or <c>data_modified</c>, for tools declared with that action.</summary>
    public static readonly JsonEncodedText DataAction = JsonEncodedText.Encode("dataAction");
    /// <summary>The result of <c>tool_completed</c>.</summary>
    public const string Result = "result";
    /// <summary>Marker: the value's type could not be serialized.</summary>
    public static readonly JsonEncodedText Unserializable = JsonEncodedText.Encode("$unserializable");
    /// <summary>Marker: the exception type that stopped serialization.</summary>
    public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
    /// <summary>Marker: the value was truncated.</summary>
    public static readonly JsonEncodedText Truncated = JsonEncodedText.Encode("$truncated");
    /// <summary>Marker: the untruncated length in characters.</summary>
    public static readonly JsonEncodedText Length = JsonEncodedText.Encode("length");
    /// <summary>Marker: the characters kept.</summary>
    public static readonly JsonEncodedText Prefix = JsonEncodedText.Encode("prefix");
}
