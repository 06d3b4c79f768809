using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AuditGen.Canonical;

/// <summary>
/// Converts any JSON text to its RFC 8785 canonical form. Two JSON texts with the same data yield the same bytes,
/// so a hash over them is independent of member order, white space and escaping choices.
/// </summary>
public static class JsonCanonicalizer
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 64 };

    /// <summary>Canonicalizes UTF-8 JSON.</summary>
    /// <exception cref="JsonException">The input is not valid JSON, or an object repeats a member name.</exception>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = ParseOptions.MaxDepth });
        using var document = JsonDocument.ParseValue(ref reader);
        if (reader.BytesConsumed != utf8Json.Length && !IsWhiteSpace(utf8Json[(int)reader.BytesConsumed..]))
            throw new JsonException($"Unexpected content after the JSON value at byte {reader.BytesConsumed}.");
        var output = new ArrayBufferWriter<byte>(Math.Max(utf8Json.Length, 16));
        try
        {
            Write(document.RootElement, new CanonicalJsonWriter(output));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // Lone surrogates and similar: the text is JSON-shaped but has no canonical UTF-8 form.
            throw new JsonException($"The JSON cannot be canonicalized: {e.Message}", e);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Canonicalizes JSON text.</summary>
    /// <exception cref="JsonException">The input is not valid JSON, or an object repeats a member name.</exception>
    public static string Canonicalize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Encoding.UTF8.GetString(Canonicalize(Encoding.UTF8.GetBytes(json)));
    }

    private static bool IsWhiteSpace(ReadOnlySpan<byte> rest)
    {
        foreach (var b in rest)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }

    internal static void Write(JsonElement element, CanonicalJsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<KeyValuePair<string, JsonElement>>();
                foreach (var property in element.EnumerateObject())
                    members.Add(new(property.Name, property.Value));
                members.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                writer.StartObject();
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0 && members[i - 1].Key == members[i].Key)
                        throw new JsonException($"The JSON object repeats the member name '{members[i].Key}'; its canonical form would be ambiguous.");
                    writer.PropertyName(members[i].Key);
                    Write(members[i].Value, writer);
                }

                writer.EndObject();
                break;
            case JsonValueKind.Array:
                writer.StartArray();
                foreach (var item in element.EnumerateArray()) Write(item, writer);
                writer.EndArray();
                break;
            case JsonValueKind.String:
                writer.String(element.GetString());
                break;
            case JsonValueKind.Number:
                if (!element.TryGetDouble(out var number) || double.IsInfinity(number))
                    throw new JsonException($"The number {element.GetRawText()} is outside the IEEE 754 double range RFC 8785 requires.");
                writer.Number(number);
                break;
            case JsonValueKind.True:
                writer.Boolean(true);
                break;
            case JsonValueKind.False:
                writer.Boolean(false);
                break;
            case JsonValueKind.Null:
                writer.Null();
                break;
            default:
                throw new JsonException($"Unexpected JSON token {element.ValueKind}.");
        }
    }
}
