using System.Text.Json;

namespace AuditGen.Erasure;

/// <summary>The members of a <c>subject_erased</c> record's details.</summary>
internal static class ErasureDetails
{
    public const string Subject = "subject";
    public const string Reason = "reason";
    public const string RequestedBy = "requestedBy";
    public const string KeysDestroyed = "keysDestroyed";
    public const string SealedValues = "sealedValues";
    public const string Records = "records";
    public const string Keys = "keys";

    /// <summary>The subject pseudonym and the key numbers a <c>subject_erased</c> record covers.</summary>
    public static bool TryRead(AuditRecord record, out string subject, out long[] keys)
    {
        subject = "";
        keys = [];
        if (record.Action != AuditAction.SubjectErased || record.Details is null)
            return false;
        try
        {
            using var document = JsonDocument.Parse(record.Details);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty(Subject, out var s) || s.ValueKind != JsonValueKind.String
                || !root.TryGetProperty(Keys, out var k) || k.ValueKind != JsonValueKind.Array)
                return false;
            subject = s.GetString()!;
            keys = k.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Number).Select(e => e.GetInt64()).ToArray();
            return true;
        }
        catch (JsonException)
        {
            return false; // not one of ours: a hand-made subject_erased record names no vault keys
        }
    }

    /// <summary>Who asked and why, from a <c>subject_erased</c> record.</summary>
    public static void TryReadWho(AuditRecord record, out string? requestedBy, out string? reason)
    {
        requestedBy = null;
        reason = null;
        using var document = JsonDocument.Parse(record.Details!);
        var root = document.RootElement;
        if (root.TryGetProperty(RequestedBy, out var by) && by.ValueKind == JsonValueKind.String)
            requestedBy = by.GetString();
        if (root.TryGetProperty(Reason, out var why) && why.ValueKind == JsonValueKind.String)
            reason = why.GetString();
    }
}
