using System.Text;

namespace AuditGen;

/// <summary>Tool names derived from method names, exactly as the generator derives them.</summary>
internal static class ToolNames
{
    /// <summary><c>LookupPatientAsync</c> → <c>lookup_patient</c>; acronyms stay together (<c>GetHTTPStatus</c> → <c>get_http_status</c>).</summary>
    public static string FromMethod(string methodName)
    {
        var name = methodName.Length > "Async".Length && methodName.EndsWith("Async", StringComparison.Ordinal)
            ? methodName[..^"Async".Length]
            : methodName;
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsUpper(c))
            {
                builder.Append(c);
                continue;
            }

            var previousIsLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
            var acronymEnds = i > 0 && char.IsUpper(name[i - 1]) && i + 1 < name.Length && char.IsLower(name[i + 1]);
            if ((previousIsLowerOrDigit || acronymEnds) && builder.Length > 0 && builder[^1] != '_')
                builder.Append('_');
            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
