using System.Text.Json;

namespace AuditGen.Erasure;

/// <summary>Finds the <c>{"$sealed": "…"}</c> markers in a record's details, with their paths.</summary>
internal static class SealedMarkers
{
    /// <summary>Every marker in <paramref name="details"/>, in document order.</summary>
    /// <exception cref="FormatException">The details are not JSON.</exception>
    public static List<(string Path, string Commitment)> Find(string? details)
    {
        var found = new List<(string, string)>();
        if (string.IsNullOrEmpty(details) || !details.Contains(SealFormat.Marker, StringComparison.Ordinal))
            return found;
        try
        {
            using var document = JsonDocument.Parse(details);
            Walk(document.RootElement, "", found);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The details are not JSON: {e.Message}", e);
        }
        return found;
    }

    private static void Walk(JsonElement element, string path, List<(string, string)> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (IsMarker(element, out var commitment))
                {
                    found.Add((path, commitment));
                    return;
                }
                foreach (var property in element.EnumerateObject())
                    Walk(property.Value, path.Length == 0 ? property.Name : path + "." + property.Name, found);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    Walk(item, path + "[" + i++.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", found);
                break;
        }
    }

    private static bool IsMarker(JsonElement element, out string commitment)
    {
        commitment = "";
        var count = 0;
        foreach (var property in element.EnumerateObject())
        {
            if (++count > 1 || property.Name != SealFormat.Marker || property.Value.ValueKind != JsonValueKind.String)
                return false;
            commitment = property.Value.GetString()!;
        }
        return count == 1;
    }
}
