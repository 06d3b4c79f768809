using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AuditGen;

/// <summary>
/// A reusable UTF-8 JSON writer for a record's <c>Details</c>. One is cached per thread; <see cref="Rent"/> takes it
/// out of the slot, so a nested audited call made while a writer is in use (say, from a getter being serialized)
/// gets a fresh one instead of corrupting it.
/// </summary>
internal sealed class DetailsWriter
{
    private const int InitialCapacity = 512;
    private const int MaxRetainedCapacity = 64 * 1024;

    // Relaxed escaping keeps non-ASCII text readable; the trail re-encodes Details canonically (RFC 8785) anyway, and
    // the text is never embedded in HTML by this library.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic] private static DetailsWriter? t_cached;

    private readonly ArrayBufferWriter<byte> _buffer = new(InitialCapacity);

    private DetailsWriter() => Json = new Utf8JsonWriter(_buffer, WriterOptions);

    /// <summary>The writer; starts empty.</summary>
    public Utf8JsonWriter Json { get; }

    /// <summary>Takes this thread's cached writer, or makes one.</summary>
    public static DetailsWriter Rent()
    {
        var writer = t_cached;
        if (writer is null)
            return new DetailsWriter();
        t_cached = null;
        return writer;
    }

    /// <summary>The JSON written so far, as a string; the writer is then reset and cached for reuse.</summary>
    public string ToStringAndReturn()
    {
        Json.Flush();
        var text = Encoding.UTF8.GetString(_buffer.WrittenSpan);
        Return();
        return text;
    }

    /// <summary>Resets the writer and caches it for this thread (a writer that grew large is dropped instead).</summary>
    public void Return()
    {
        if (_buffer.Capacity > MaxRetainedCapacity)
            return;
        // Only redacted or unclassified values are ever written here, so the bytes need no clearing.
        _buffer.ResetWrittenCount();
        Json.Reset(_buffer);
        t_cached = this;
    }
}
