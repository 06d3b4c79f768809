using System.Text.Json;
using AuditGen.Canonical;

namespace AuditGen.Archive;

/// <summary>
/// Describes one archive segment, as RFC 8785 JSON (<see cref="ToCanonicalJson"/>), published after the segment. It
/// ties the segment to the exact records it holds: their sequence range and count, the chain hashes at its boundaries,
/// the RFC 6962 Merkle root of their leaves in sequence order, the SHA-256 of the segment file, and (when the trail signs
/// checkpoints) the latest signed checkpoint covering them. Store-agnostic: the PostgreSQL store keeps the same facts
/// in <c>auditgen.archive_manifests</c>.
/// </summary>
public sealed record ArchiveManifest
{
    /// <summary>The value of <c>format</c>.</summary>
    public const string FormatName = "auditgen-archive-v1";

    /// <summary>The segment's id.</summary>
    public required string SegmentId { get; init; }

    /// <summary>The log the records belong to (for a LiteDB trail: the chain hash of its sequence 0, which no other chain shares).</summary>
    public required string LogId { get; init; }

    /// <summary>The first archived sequence.</summary>
    public required long FirstSequence { get; init; }

    /// <summary>The last archived sequence.</summary>
    public required long LastSequence { get; init; }

    /// <summary>How many records the segment holds (at most <c>LastSequence − FirstSequence + 1</c>: selections need not be contiguous).</summary>
    public required long Count { get; init; }

    /// <summary>The previous hash of the first archived record (hex).</summary>
    public required string FirstPreviousHash { get; init; }

    /// <summary>The hash of the last archived record (hex).</summary>
    public required string LastHash { get; init; }

    /// <summary>The RFC 6962 Merkle root over the segment's leaf hashes in sequence order (hex).</summary>
    public required string MerkleRoot { get; init; }

    /// <summary>SHA-256 of the segment file's bytes (hex).</summary>
    public required string SegmentSha256 { get; init; }

    /// <summary>Size of the segment file in bytes.</summary>
    public required long SegmentBytes { get; init; }

    /// <summary>When the segment was written (the trail's clock).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The latest signed checkpoint (C2SP signed note) whose tree covers <see cref="LastSequence"/>, when the trail signs checkpoints.</summary>
    public string? CheckpointNote { get; init; }

    /// <summary>The tree size of <see cref="CheckpointNote"/>.</summary>
    public long? CheckpointTreeSize { get; init; }

    /// <summary>The manifest's canonical JSON (RFC 8785).</summary>
    public byte[] ToCanonicalJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", FormatName);
            json.WriteString("segmentId", SegmentId);
            json.WriteString("logId", LogId);
            json.WriteNumber("firstSequence", FirstSequence);
            json.WriteNumber("lastSequence", LastSequence);
            json.WriteNumber("count", Count);
            json.WriteString("firstPreviousHash", FirstPreviousHash);
            json.WriteString("lastHash", LastHash);
            json.WriteString("merkleRoot", MerkleRoot);
            json.WriteString("segmentSha256", SegmentSha256);
            json.WriteNumber("segmentBytes", SegmentBytes);
            json.WriteString("createdAt", AuditRecordCodec.FormatTimestamp(CreatedAt));
            if (CheckpointNote is null)
            {
                json.WriteNull("checkpoint");
            }
            else
            {
                json.WriteStartObject("checkpoint");
                json.WriteString("note", CheckpointNote);
                json.WriteNumber("treeSize", CheckpointTreeSize ?? 0);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return JsonCanonicalizer.Canonicalize(buffer.ToArray());
    }

    /// <summary>Reads a manifest strictly.</summary>
    /// <exception cref="FormatException">Not a manifest: invalid JSON, a missing or mistyped member, an unknown format.</exception>
    public static ArchiveManifest Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8Json.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException("An archive manifest is a JSON object.");
            if (String(root, "format") != FormatName)
                throw new FormatException($"The manifest's format is not '{FormatName}'.");
            var createdText = String(root, "createdAt");
            if (!AuditRecordCodec.TryParseTimestamp(createdText, out var created))
                throw new FormatException($"The manifest's createdAt '{createdText}' is not a wire timestamp.");
            string? note = null;
            long? treeSize = null;
            var checkpoint = Member(root, "checkpoint");
            if (checkpoint.ValueKind == JsonValueKind.Object)
            {
                note = String(checkpoint, "note");
                treeSize = Integer(checkpoint, "treeSize");
            }
            else if (checkpoint.ValueKind != JsonValueKind.Null)
            {
                throw new FormatException("The manifest's checkpoint must be an object or null.");
            }
            var manifest = new ArchiveManifest
            {
                SegmentId = String(root, "segmentId"),
                LogId = String(root, "logId"),
                FirstSequence = Integer(root, "firstSequence"),
                LastSequence = Integer(root, "lastSequence"),
                Count = Integer(root, "count"),
                FirstPreviousHash = Hash(root, "firstPreviousHash"),
                LastHash = Hash(root, "lastHash"),
                MerkleRoot = Hash(root, "merkleRoot"),
                SegmentSha256 = Hash(root, "segmentSha256"),
                SegmentBytes = Integer(root, "segmentBytes"),
                CreatedAt = created,
                CheckpointNote = note,
                CheckpointTreeSize = treeSize,
            };
            if (!ArchiveIds.IsValidSegmentId(manifest.SegmentId))
                throw new FormatException($"The manifest's segment id '{manifest.SegmentId}' is not a valid id.");
            if (manifest.FirstSequence < 0 || manifest.LastSequence < manifest.FirstSequence || manifest.Count < 1
                || manifest.Count > manifest.LastSequence - manifest.FirstSequence + 1)
                throw new FormatException($"The manifest's range {manifest.FirstSequence}..{manifest.LastSequence} and count {manifest.Count} are inconsistent.");
            return manifest;
        }
        catch (JsonException e)
        {
            throw new FormatException($"The archive manifest is not valid JSON: {e.Message}", e);
        }
    }

    private static JsonElement Member(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value : throw new FormatException($"The manifest lacks '{name}'.");

    private static string String(JsonElement element, string name) =>
        Member(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString()! : throw new FormatException($"The manifest's '{name}' must be a string.");

    private static long Integer(JsonElement element, string name) =>
        Member(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number)
            ? number
            : throw new FormatException($"The manifest's '{name}' must be an integer.");

    private static string Hash(JsonElement element, string name) =>
        String(element, name) is var hex && AuditRecordCodec.IsHashHex(hex) ? hex : throw new FormatException($"The manifest's '{name}' must be 64 lower-case hex digits.");
}
