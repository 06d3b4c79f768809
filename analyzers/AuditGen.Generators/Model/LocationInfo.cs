using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AuditGen.Generators.Model;

/// <summary>Where a diagnostic points, kept as plain values so no <see cref="SyntaxTree"/> is rooted by the pipeline.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location)
    {
        if (location is null || !location.IsInSource)
        {
            return null;
        }

        return new LocationInfo(location.SourceTree?.FilePath ?? string.Empty, location.SourceSpan, location.GetLineSpan().Span);
    }

    public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());
}
