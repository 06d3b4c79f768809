using System.Buffers;

namespace AuditGen.Storage;

/// <summary>A growable byte buffer whose written bytes stay writable (the journal patches frame headers in place).</summary>
internal sealed class ByteBufferWriter : IBufferWriter<byte>
{
    private byte[] _buffer;

    /// <summary>Creates a buffer with <paramref name="capacity"/> bytes.</summary>
    public ByteBufferWriter(int capacity) => _buffer = new byte[capacity];

    /// <summary>Bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>The written bytes, writable.</summary>
    public Span<byte> Written => _buffer.AsSpan(0, Length);

    /// <summary>Forgets the written bytes, keeping the capacity.</summary>
    public void Clear() => Length = 0;

    /// <inheritdoc />
    public void Advance(int count) => Length += count;

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(Length);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(Length);
    }

    private void Ensure(int sizeHint)
    {
        var needed = Length + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
    }
}
