using System.Text.Json;

namespace AuditGen.Integrity.Checkpoints;

/// <summary>
/// The <c>checkpoint_signed</c> record: a system record whose details carry the signed note and, for readers, its parsed
/// body: <c>{"note": "…", "origin": "…", "rootHash": "&lt;hex&gt;", "treeSize": n}</c>. The checkpoint at sequence <c>n</c>
/// covers the <c>n</c> records before it (sequences 0 to n − 1).
/// </summary>
internal static class CheckpointRecords
{
    public const string ActorId = "auditgen";

    /// <summary>The entry recording <paramref name="signed"/>, with its details already canonical.</summary>
    public static (AuditEntry Entry, string CanonicalDetails) Entry(SignedCheckpoint signed)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("note", signed.NoteText);
            json.WriteString("origin", signed.Checkpoint.Origin);
            json.WriteString("rootHash", signed.Checkpoint.RootHex);
            json.WriteNumber("treeSize", signed.Checkpoint.TreeSize);
            json.WriteEndObject();
        }
        var details = System.Text.Encoding.UTF8.GetString(Canonical.AuditRecordCodec.CanonicalizeDetails(System.Text.Encoding.UTF8.GetString(buffer.ToArray())));
        var entry = new AuditEntry
        {
            Action = AuditAction.CheckpointSigned,
            ActorId = ActorId,
            ActorType = ActorType.System,
            Classification = DataClass.Internal,
            Outcome = AuditOutcome.Success,
            ResourceType = "checkpoint",
            Details = details,
        };
        return (entry, details);
    }

    /// <summary>The signed note a <c>checkpoint_signed</c> record carries, or <see langword="null"/> with the problem when it carries none.</summary>
    public static string? NoteOf(AuditRecord record, out string? problem)
    {
        problem = null;
        if (record.Action != AuditAction.CheckpointSigned)
        {
            problem = "not a checkpoint_signed record";
            return null;
        }
        try
        {
            using var details = JsonDocument.Parse(record.Details ?? "{}");
            if (details.RootElement.TryGetProperty("note", out var note) && note.ValueKind == JsonValueKind.String)
                return note.GetString();
            problem = "its details have no \"note\"";
        }
        catch (JsonException e)
        {
            problem = $"its details are not JSON ({e.Message})";
        }
        return null;
    }

    /// <summary>Parses the checkpoint of a <c>checkpoint_signed</c> record, checking the signature when <paramref name="verifier"/> is given.</summary>
    /// <exception cref="FormatException">The record carries no well-formed signed checkpoint.</exception>
    /// <exception cref="SignedNoteException">The signature does not verify with <paramref name="verifier"/>.</exception>
    public static SignedCheckpoint Read(AuditRecord record, NoteVerifier? verifier)
    {
        var note = NoteOf(record, out var problem)
            ?? throw new FormatException($"The checkpoint_signed record at sequence {record.Sequence} carries no signed note: {problem}.");
        return SignedCheckpoint.Parse(note, verifier);
    }
}
