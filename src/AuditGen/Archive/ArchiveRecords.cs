using System.Text;
using System.Text.Json;
using AuditGen.Canonical;

namespace AuditGen.Archive;

/// <summary>What an <c>archive_created</c> record says about its segment (its details).</summary>
internal sealed record ArchiveCreatedDetails(string SegmentId, string Sha256, string MerkleRoot, long Count, long FirstSequence, long LastSequence);

/// <summary>
/// The two records an archive run appends, both system records of the log's own metadata (retention never expires them):
/// <c>archive_created</c> (<c>{"count","firstSequence","lastSequence","location","logId","merkleRoot","segment","sha256"}</c>),
/// once the segment verified and before anything is removed; <c>retention_applied</c>
/// (<c>{"count","firstSequence","lastSequence","retention":{…caller's details…},"segment"}</c>), once the content is gone.
/// </summary>
internal static class ArchiveRecords
{
    public const string ActorId = "auditgen";
    public const string ResourceType = "archive_segment";

    /// <summary>Actions that are the log's own metadata: never archived (wire names, so actions added later by their owners are covered by name).</summary>
    public static readonly HashSet<string> LifecycleActions = new(StringComparer.Ordinal)
    {
        "checkpoint_signed", "archive_created", "retention_applied", "subject_erased",
        "legal_hold_placed", "legal_hold_released", "retention_policy_changed",
    };

    public static AuditEntry ArchiveCreated(ArchiveManifest manifest, string location)
    {
        var details = Details(json =>
        {
            json.WriteNumber("count", manifest.Count);
            json.WriteNumber("firstSequence", manifest.FirstSequence);
            json.WriteNumber("lastSequence", manifest.LastSequence);
            json.WriteString("location", location);
            json.WriteString("logId", manifest.LogId);
            json.WriteString("merkleRoot", manifest.MerkleRoot);
            json.WriteString("segment", manifest.SegmentId);
            json.WriteString("sha256", manifest.SegmentSha256);
        });
        return Entry(AuditAction.ArchiveCreated, manifest.SegmentId, details);
    }

    public static AuditEntry RetentionApplied(ArchiveManifest manifest, string retentionDetailsJson)
    {
        using var retention = JsonDocument.Parse(retentionDetailsJson);
        var details = Details(json =>
        {
            json.WriteNumber("count", manifest.Count);
            json.WriteNumber("firstSequence", manifest.FirstSequence);
            json.WriteNumber("lastSequence", manifest.LastSequence);
            json.WritePropertyName("retention");
            retention.RootElement.WriteTo(json);
            json.WriteString("segment", manifest.SegmentId);
        });
        return Entry(AuditAction.RetentionApplied, manifest.SegmentId, details);
    }

    /// <summary>The segment id an <c>archive_created</c> or <c>retention_applied</c> record names, or <see langword="null"/>.</summary>
    public static string? SegmentOf(AuditRecord record)
    {
        if (record.Action is not (AuditAction.ArchiveCreated or AuditAction.RetentionApplied) || record.Details is null)
            return null;
        try
        {
            using var details = JsonDocument.Parse(record.Details);
            return details.RootElement.TryGetProperty("segment", out var segment) && segment.ValueKind == JsonValueKind.String ? segment.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads an <c>archive_created</c> record's details.</summary>
    /// <exception cref="FormatException">The details are not those of an <c>archive_created</c> record.</exception>
    public static ArchiveCreatedDetails ReadCreated(AuditRecord record)
    {
        try
        {
            using var details = JsonDocument.Parse(record.Details ?? "null");
            var root = details.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException($"The archive_created record at sequence {record.Sequence} has no details object.");
            string Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()!
                : throw new FormatException($"The archive_created record at sequence {record.Sequence} lacks '{name}'.");
            long Number(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n)
                ? n
                : throw new FormatException($"The archive_created record at sequence {record.Sequence} lacks '{name}'.");
            return new ArchiveCreatedDetails(Text("segment"), Text("sha256"), Text("merkleRoot"), Number("count"), Number("firstSequence"), Number("lastSequence"));
        }
        catch (JsonException e)
        {
            throw new FormatException($"The archive_created record at sequence {record.Sequence} has unreadable details: {e.Message}", e);
        }
    }

    /// <summary>Checks that <paramref name="json"/> is a JSON object.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static void RequireObject(string json, string parameter)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ArgumentException("RetentionDetailsJson must be a JSON object (it is embedded in the retention_applied record).", parameter);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"RetentionDetailsJson is not valid JSON: {e.Message}", parameter, e);
        }
    }

    private static AuditEntry Entry(AuditAction action, string segmentId, string details) => new()
    {
        Action = action,
        ActorId = ActorId,
        ActorType = ActorType.System,
        Classification = DataClass.Internal,
        Outcome = AuditOutcome.Success,
        ResourceType = ResourceType,
        ResourceId = segmentId,
        Details = details,
    };

    private static string Details(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(buffer.ToArray()));
    }
}
