using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AuditGen.Extensions.AI;

/// <summary>Writes the <c>Details</c> JSON of conversation records; free text only in the redacted forms <see cref="MessageCapture"/> allows.</summary>
internal sealed class ChatDetails : IDisposable
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _json;
    private readonly AuditGen.Erasure.SealingSession? _sealing;

    public ChatDetails(AuditGen.Erasure.SealingSession? sealing = null)
    {
        _sealing = sealing;
        _json = new Utf8JsonWriter(_buffer);
        _json.WriteStartObject();
    }

    public Utf8JsonWriter Json => _json;

    /// <summary>Writes the allowed forms of <paramref name="text"/>.</summary>
    public ChatDetails Text(string text, MessageCapture capture, AuditTrailOptions options, string subject)
    {
        if ((capture & MessageCapture.Length) != 0)
            _json.WriteNumber("length", text.Length);
        if ((capture & MessageCapture.ScrubbedText) != 0)
        {
            var scrubbed = AuditRedaction.ScrubPersonalData(text);
            var max = Math.Max(0, options.MaxCapturedValueLength);
            _json.WriteString("text", scrubbed.Length > max ? scrubbed[..max] + "…[truncated]" : scrubbed);
        }

        if ((capture & MessageCapture.Hmac) != 0)
            _json.WriteString("hmac", AuditRedaction.Redact(options, RedactionStrategy.Hmac, text, subject));
        if ((capture & MessageCapture.Sealed) != 0)
            (_sealing ?? throw new InvalidOperationException("Sealed capture needs the client's sealing keys.")).Write(_json, "sealed", text);
        return this;
    }

    /// <summary><paramref name="entry"/> with <see cref="Build"/>'s details and, when texts were sealed, their payloads under the ambient subject.</summary>
    public AuditEntry Complete(AuditEntry entry, string what) =>
        _sealing is null ? entry with { Details = Build() } : _sealing.Attach(entry with { Details = Build() }, AuditContext.Current?.SubjectId, what);

    public string Build()
    {
        _json.WriteEndObject();
        _json.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    public void Dispose() => _json.Dispose();
}
