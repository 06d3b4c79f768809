using AuditGen.Canonical;
using AuditGen.Integrity;
using LiteDB;

namespace AuditGen.Storage;

/// <summary>
/// The query store's stub of an archived record: <c>{_id, sequence, hash, leaf, segment, pruned: true}</c>. It keeps the
/// position occupied (positions stay contiguous, so the store's chain still verifies) and nothing else: no field a query
/// filters on, so only an unfiltered scan meets it, and readers skip it.
/// </summary>
internal static class LiteDbStubs
{
    private const string PrunedField = "pruned";

    /// <summary>The stub document for the archived record at <paramref name="position"/>.</summary>
    public static BsonDocument ToDocument(long position, string hash, ReadOnlySpan<byte> leaf, string segmentId) => new()
    {
        ["_id"] = position,
        ["sequence"] = position,
        ["hash"] = hash,
        ["leaf"] = HashHex.Encode(leaf),
        ["segment"] = segmentId,
        [PrunedField] = true,
    };

    /// <summary>Whether <paramref name="document"/> is a stub rather than a record.</summary>
    public static bool IsStub(BsonDocument document) => document.ContainsKey(PrunedField);

    /// <summary>Reads a stub's hash, leaf and segment.</summary>
    /// <exception cref="FormatException">The stub is malformed.</exception>
    public static (string Hash, byte[] Leaf, string Segment) Read(BsonDocument document)
    {
        if (document.Keys.Count != 6 || !document[PrunedField].IsBoolean || !document[PrunedField].AsBoolean)
            throw new FormatException("The pruned stub document does not have exactly _id, sequence, hash, leaf, segment and pruned: true.");
        var hash = document["hash"] is { IsString: true } h ? h.AsString : throw new FormatException("The stub's 'hash' is not a string.");
        var leafHex = document["leaf"] is { IsString: true } l ? l.AsString : throw new FormatException("The stub's 'leaf' is not a string.");
        var segment = document["segment"] is { IsString: true } s ? s.AsString : throw new FormatException("The stub's 'segment' is not a string.");
        if (!AuditRecordCodec.IsHashHex(hash) || !AuditRecordCodec.IsHashHex(leafHex))
            throw new FormatException("The stub's hash and leaf must be 64 lower-case hex digits.");
        var leaf = new byte[ChainHasher.HashSize];
        HashHex.TryDecode(leafHex, leaf);
        return (hash, leaf, segment);
    }
}
