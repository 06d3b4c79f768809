using Microsoft.Extensions.Compliance.Redaction;

namespace AuditGen.Redaction;

/// <summary>
/// <see cref="RedactionStrategy.Erase"/>: replaces any value with the fixed marker <c>[erased]</c>.
/// </summary>
/// <remarks>
/// Microsoft.Extensions.Compliance's <see cref="ErasingRedactor"/> writes an empty string, which in an audit record
/// cannot be told apart from an argument that really was empty; the marker says that a value existed and was removed.
/// </remarks>
internal sealed class ErasingMarkerRedactor : Redactor
{
    /// <summary>The marker written in place of an erased value.</summary>
    public const string Marker = LogRedaction.ErasedMarker;

    public static ErasingMarkerRedactor Instance { get; } = new();

    public override int GetRedactedLength(ReadOnlySpan<char> input) => Marker.Length;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        Marker.AsSpan().CopyTo(destination);
        return Marker.Length;
    }
}
