namespace AuditGen.Storage.Journal;

/// <summary>One valid frame. <see cref="Payload"/> is only valid until the reader moves on.</summary>
internal readonly record struct JournalFrame(long Offset, JournalFrameHeader Header, ReadOnlyMemory<byte> Payload);

/// <summary>
/// Reads journal frames in order, checking each frame's header, CRC and sequence (frame <c>n</c> carries sequence
/// <c>n</c>). Stops at the end of the data or at the first frame that fails a check, leaving <see cref="Problem"/> set.
/// </summary>
internal sealed class JournalReader : IDisposable
{
    private readonly Stream _stream;
    private readonly Func<long> _limit;
    private readonly byte[] _header = new byte[JournalFormat.FrameHeaderLength];
    private byte[] _payload = new byte[4096];
    private long _consumed;

    /// <summary>
    /// Starts reading <paramref name="stream"/> (positioned at 0). <paramref name="limit"/>, when given, says how many
    /// bytes are readable (the writer's durable length); it is asked again whenever the reader reaches it, so a reader
    /// can follow a growing journal: at the end <see cref="TryReadNext"/> returns <see langword="false"/> and may be
    /// called again later.
    /// </summary>
    public JournalReader(Stream stream, string path, Func<long>? limit = null)
    {
        _stream = stream;
        _limit = limit ?? (static () => long.MaxValue);
        Path = path;
        Span<byte> fileHeader = stackalloc byte[JournalFormat.FileHeaderLength];
        var read = ReadUpTo(fileHeader);
        if (read == 0)
        {
            IsEmpty = true;
            return;
        }
        if (read < fileHeader.Length || !fileHeader.SequenceEqual(JournalFormat.FileHeader))
        {
            HeaderProblem = read < fileHeader.Length && JournalFormat.FileHeader.StartsWith(fileHeader[..read])
                ? "torn"
                : $"the file does not start with the journal header '{System.Text.Encoding.ASCII.GetString(JournalFormat.FileHeader)}'";
            return;
        }
        Offset = JournalFormat.FileHeaderLength;
    }

    /// <summary>The journal's path, for messages.</summary>
    public string Path { get; }

    /// <summary>The file has no bytes at all.</summary>
    public bool IsEmpty { get; }

    /// <summary>Set when the file header is wrong: <c>"torn"</c> when it is a prefix of the header (a crash while creating it).</summary>
    public string? HeaderProblem { get; }

    /// <summary>Where the next frame starts: the end of the last valid frame.</summary>
    public long Offset { get; private set; }

    /// <summary>How many valid frames were read.</summary>
    public long FrameCount { get; private set; }

    /// <summary>The header of the last valid frame.</summary>
    public JournalFrameHeader? LastHeader { get; private set; }

    /// <summary>Why reading stopped before the end of the data, or <see langword="null"/>.</summary>
    public string? Problem { get; private set; }

    /// <summary>Reads the next frame; <see langword="false"/> at the end of the data or at a bad frame (<see cref="Problem"/>).</summary>
    public bool TryReadNext(out JournalFrame frame)
    {
        frame = default;
        if (IsEmpty || HeaderProblem is not null || Problem is not null)
            return false;
        var read = ReadUpTo(_header);
        if (read == 0)
            return false;
        if (read < _header.Length)
            return Stop($"incomplete frame header ({read} of {_header.Length} bytes)");
        var header = JournalFormat.TryReadFrameHeader(_header, out var headerProblem);
        if (header is not { } h)
            return Stop(headerProblem!);
        if (_payload.Length < h.PayloadLength)
            _payload = new byte[Math.Max(h.PayloadLength, _payload.Length * 2)];
        var payload = _payload.AsSpan(0, h.PayloadLength);
        read = ReadUpTo(payload);
        if (read < payload.Length)
            return Stop($"incomplete payload ({read} of {payload.Length} bytes)");
        if (!JournalFormat.CrcMatches(_header, payload, h.Crc))
            return Stop($"CRC mismatch in the frame of sequence {h.Sequence}");
        if (h.Sequence != FrameCount)
            return Stop($"frame carries sequence {h.Sequence} where sequence {FrameCount} belongs");
        frame = new JournalFrame(Offset, h, _payload.AsMemory(0, h.PayloadLength));
        Offset += JournalFormat.FrameHeaderLength + h.PayloadLength;
        FrameCount++;
        LastHeader = h;
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    private bool Stop(string problem)
    {
        Problem = $"journal '{Path}' at byte {Offset} (sequence {FrameCount}): {problem}";
        return false;
    }

    private int ReadUpTo(Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var allowed = (int)Math.Min(buffer.Length - total, _limit() - _consumed);
            if (allowed <= 0)
                break;
            var n = _stream.Read(buffer.Slice(total, allowed));
            if (n == 0)
                break;
            total += n;
            _consumed += n;
        }
        return total;
    }
}
