namespace AuditGen;

/// <summary>How a captured value was rendered.</summary>
internal enum RenderedKind : byte
{
    /// <summary>The value was <see langword="null"/>.</summary>
    Null,
    /// <summary><see cref="RenderedValue.Text"/> is a string value.</summary>
    String,
    /// <summary><see cref="RenderedValue.Text"/> is a JSON number or boolean literal, invariant culture.</summary>
    Literal,
    /// <summary><see cref="RenderedValue.Json"/> holds the value serialized as UTF-8 JSON.</summary>
    Json,
    /// <summary>Serialization threw; <see cref="RenderedValue.TypeName"/> and <see cref="RenderedValue.Reason"/> say what and why.</summary>
    Unserializable,
}

/// <summary>A value rendered to text before redaction. Lives on the stack for the duration of one capture.</summary>
internal ref struct RenderedValue
{
    public RenderedKind Kind;

    /// <summary>For <see cref="RenderedKind.String"/> and <see cref="RenderedKind.Literal"/>: the text.</summary>
    public ReadOnlySpan<char> Text;

    /// <summary>The string <see cref="Text"/> came from, when it came from one (saves a copy).</summary>
    public string? SourceString;

    /// <summary>For <see cref="RenderedKind.Json"/>: the UTF-8 JSON.</summary>
    public byte[]? Json;

    /// <summary>For <see cref="RenderedKind.Unserializable"/>: the value's type.</summary>
    public string? TypeName;

    /// <summary>For <see cref="RenderedKind.Unserializable"/>: the exception type that stopped serialization.</summary>
    public string? Reason;
}
