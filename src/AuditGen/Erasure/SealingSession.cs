using System.Security.Cryptography;
using System.Text.Json;

namespace AuditGen.Erasure;

/// <summary>
/// Seals free texts into one entry's details (for adapters that record conversations rather than tool arguments): each
/// text is committed to and written as <c>{"$sealed": "…"}</c>; <see cref="Attach"/> then hands the payloads to the
/// trail's writer with the entry.
/// </summary>
internal sealed class SealingSession(SealingKeys keys)
{
    private List<SealedValue>? _values;

    /// <summary>The trail's sealing keys, or an error naming <paramref name="option"/> when the trail cannot seal.</summary>
    /// <exception cref="AuditTrailException">The trail keeps no vault or has no commitment key.</exception>
    public static SealingKeys KeysOf(IAuditTrail trail, string option)
    {
        var whyNot = $"the trail ({trail.GetType().Name}) keeps no vault for sealed values";
        if (trail is ISealingTrail sealing && sealing.SealingKeys(out whyNot) is { } keys)
            return keys;
        throw new AuditTrailException(
            $"{option} asks for sealed texts, but {whyNot}. Open a LiteDB or PostgreSQL trail with {nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.Erasure)} " +
            $"set (a commitment key of at least {ErasureOptions.MinimumKeyLength} bytes; for PostgreSQL also a {nameof(ErasureOptions.VaultDirectory)}).");
    }

    /// <summary>Writes <paramref name="name"/>: the commitment marker of <paramref name="text"/> (as a JSON string value).</summary>
    public void Write(Utf8JsonWriter json, string name, string text)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(text.Length + 16);
        new Canonical.CanonicalJsonWriter(buffer).String(text);
        var payload = buffer.WrittenSpan.ToArray();
        var opening = RandomNumberGenerator.GetBytes(SealingKeys.OpeningLength);
        var commitment = new byte[SealingKeys.Length];
        keys.Commit(opening, payload, commitment);
        var values = _values ??= [];
        values.Add(new SealedValue(values.Count, commitment, opening, payload));
        json.WritePropertyName(name);
        json.WriteStartObject();
        json.WriteString(SealFormat.Marker, Base64Url.Encode(commitment));
        json.WriteEndObject();
    }

    /// <summary><paramref name="entry"/> with the sealed texts under <paramref name="subjectId"/>'s key (unchanged when nothing was sealed).</summary>
    /// <exception cref="AuditTrailException">Texts were sealed but there is no data subject.</exception>
    public AuditEntry Attach(AuditEntry entry, string? subjectId, string what)
    {
        var values = _values;
        _values = null;
        if (values is null)
            return entry;
        if (string.IsNullOrEmpty(subjectId))
        {
            foreach (var value in values)
                value.Clear();
            throw new AuditTrailException(
                $"The {what} is to be sealed, but no data subject is set to seal it under: set {nameof(AuditContext)}.{nameof(AuditContext.SubjectId)} " +
                "(AuditContext.BeginSubject(id)) around the conversation. Sealed texts are never recorded in clear.");
        }
        return entry with { SealedPayloads = new SealedPayloads(keys.Pseudonym(subjectId), values) };
    }
}
