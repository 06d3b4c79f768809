using System.IO.Compression;
using System.Security.Cryptography;

namespace AuditGen.Archive;

/// <summary>A write-only stream that passes bytes on and keeps their SHA-256 and count (the segment's checksum as written).</summary>
internal sealed class HashingWriteStream(Stream inner) : Stream
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesWritten { get; private set; }

    public byte[] Sha256() => _sha.GetCurrentHash();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => BytesWritten;
    public override long Position { get => BytesWritten; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _sha.AppendData(buffer);
        BytesWritten += buffer.Length;
        inner.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _sha.AppendData(buffer.Span);
        BytesWritten += buffer.Length;
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _sha.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>A read-only stream that hashes the bytes read through it (to check a segment's SHA-256 while decompressing it).</summary>
internal sealed class HashingReadStream(Stream inner) : Stream
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesRead { get; private set; }

    /// <summary>Reads what is left (so the hash covers the whole file) and returns the SHA-256.</summary>
    public byte[] FinishSha256()
    {
        var buffer = new byte[1 << 16];
        while (Read(buffer, 0, buffer.Length) > 0)
        {
        }
        return _sha.GetCurrentHash();
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        _sha.AppendData(buffer[..n]);
        BytesRead += n;
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// Reads a segment's lines: gzip-decompressed JSON Lines, one archived record's full form per line, each ending in
/// <c>\n</c>. A line is only valid until the next call.
/// </summary>
internal sealed class SegmentLineReader : IDisposable
{
    private readonly HashingReadStream _raw;
    private readonly GZipStream _gzip;
    private byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;

    public SegmentLineReader(Stream segment)
    {
        _raw = new HashingReadStream(segment);
        _gzip = new GZipStream(_raw, CompressionMode.Decompress);
    }

    /// <summary>How many lines were read.</summary>
    public long LineCount { get; private set; }

    /// <summary>The next line without its <c>\n</c>; <see langword="false"/> at the end.</summary>
    /// <exception cref="InvalidDataException">The gzip data is damaged, or the last line has no newline.</exception>
    public bool TryReadLine(out ReadOnlyMemory<byte> line)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = _buffer.AsMemory(_start, newline);
                _start += newline + 1;
                LineCount++;
                return true;
            }
            if (_eof)
            {
                line = default;
                if (_end > _start)
                    throw new InvalidDataException($"the segment's last line ({_end - _start} bytes) has no newline: it was cut off");
                return false;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
                Array.Resize(ref _buffer, _buffer.Length * 2);
            var n = _gzip.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
                _eof = true;
            _end += n;
        }
    }

    /// <summary>The SHA-256 of the whole compressed file (reads what is left of it).</summary>
    public byte[] FinishSha256() => _raw.FinishSha256();

    /// <summary>Compressed bytes read so far.</summary>
    public long CompressedBytes => _raw.BytesRead;

    public void Dispose()
    {
        _gzip.Dispose();
        _raw.Dispose();
    }
}
