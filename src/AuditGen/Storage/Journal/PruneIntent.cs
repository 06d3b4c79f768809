using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AuditGen.Integrity;

namespace AuditGen.Storage.Journal;

/// <summary>One journal frame to overwrite with a stub: where it is, how long its payload is, and the leaf the stub keeps.</summary>
internal readonly record struct PruneTarget(long Sequence, long Offset, int PayloadLength, byte[] Leaf);

/// <summary>
/// The redo log of a prune (<c>{db}.prune</c>): the frames about to be overwritten in place with stubs, written and
/// fsynced (with its directory entry) before the first frame is touched, deleted once every stub is durable and the
/// query store holds stubs too. A crash in between leaves it behind; the next writer open redoes it (idempotently:
/// the stub bytes depend only on what the intent says) before it scans the journal, so a frame torn by the crash is
/// rewritten before anyone reads it. A torn intent (bad checksum) means no frame was touched yet: it is discarded.
/// Layout: <c>AUDITGEN-PRUNE-v1</c> (16 bytes), segment id (int32 length + ASCII), entry count (int32), entries
/// (sequence int64, offset int64, payload length int32, leaf 32 bytes), then SHA-256 of all of it. Little-endian.
/// </summary>
internal sealed class PruneIntent
{
    private const int EntryLength = 8 + 8 + 4 + ChainHasher.HashSize;
    private static ReadOnlySpan<byte> Magic => "AUDITGEN-PRUNE-1"u8;

    public PruneIntent(string segmentId, IReadOnlyList<PruneTarget> targets)
    {
        SegmentId = segmentId;
        Targets = targets;
    }

    /// <summary>The segment every stub names.</summary>
    public string SegmentId { get; }

    /// <summary>The frames, in sequence order.</summary>
    public IReadOnlyList<PruneTarget> Targets { get; }

    /// <summary>The intent file of the trail at <paramref name="trailPath"/>.</summary>
    public static string PathFor(string trailPath) => trailPath + ".prune";

    /// <summary>Writes the intent to <paramref name="path"/> and makes it (and its name) durable.</summary>
    public void WriteDurably(string path)
    {
        var id = Encoding.ASCII.GetBytes(SegmentId);
        var length = Magic.Length + 4 + id.Length + 4 + Targets.Count * EntryLength;
        var bytes = new byte[length + ChainHasher.HashSize];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        var at = Magic.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], id.Length);
        at += 4;
        id.CopyTo(span[at..]);
        at += id.Length;
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], Targets.Count);
        at += 4;
        foreach (var target in Targets)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], target.Sequence);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], target.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 16)..], target.PayloadLength);
            target.Leaf.CopyTo(span[(at + 20)..]);
            at += EntryLength;
        }
        SHA256.HashData(span[..length], span[length..]);
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        DirectorySync.Flush(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
    }

    /// <summary>Reads the intent at <paramref name="path"/>; <see langword="null"/> when there is none or it is torn (never completely written).</summary>
    public static PruneIntent? TryRead(string path)
    {
        if (!File.Exists(path))
            return null;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 8 + ChainHasher.HashSize || !bytes.AsSpan().StartsWith(Magic))
            return null;
        var body = bytes.AsSpan(0, bytes.Length - ChainHasher.HashSize);
        Span<byte> sum = stackalloc byte[ChainHasher.HashSize];
        SHA256.HashData(body, sum);
        if (!sum.SequenceEqual(bytes.AsSpan(body.Length)))
            return null;
        var at = Magic.Length;
        var idLength = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
        at += 4;
        if (idLength < 1 || at + idLength + 4 > body.Length)
            return null;
        var id = Encoding.ASCII.GetString(body.Slice(at, idLength));
        at += idLength;
        var count = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
        at += 4;
        if (count < 0 || at + (long)count * EntryLength != body.Length)
            return null;
        var targets = new List<PruneTarget>(count);
        for (var i = 0; i < count; i++, at += EntryLength)
            targets.Add(new PruneTarget(BinaryPrimitives.ReadInt64LittleEndian(body[at..]), BinaryPrimitives.ReadInt64LittleEndian(body[(at + 8)..]),
                BinaryPrimitives.ReadInt32LittleEndian(body[(at + 16)..]), body.Slice(at + 20, ChainHasher.HashSize).ToArray()));
        return new PruneIntent(id, targets);
    }

    /// <summary>Removes the intent file and makes the removal durable.</summary>
    public static void Delete(string path)
    {
        File.Delete(path);
        DirectorySync.Flush(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
    }

    /// <summary>
    /// Overwrites every target frame's payload with its stub and the frame's CRC, then fsyncs the journal. Each frame's
    /// header (bytes 0–59) is read back first and must carry the target's sequence and payload length: an intent that
    /// does not describe this journal is refused, never applied.
    /// </summary>
    /// <returns>The chain hash of each target, from its frame header.</returns>
    /// <exception cref="AuditStoreCorruptException">A target frame is not where the intent says.</exception>
    public List<string> Apply(IJournalFile journal, Action<long>? afterFrame = null)
    {
        var hashes = new List<string>(Targets.Count);
        var header = new byte[JournalFormat.FrameHeaderLength];
        var frame = new byte[JournalFormat.FrameHeaderLength + 4096];
        using var read = journal.OpenRead();
        foreach (var target in Targets)
        {
            read.Seek(target.Offset, SeekOrigin.Begin);
            read.ReadExactly(header);
            if (JournalFormat.TryReadFrameHeader(header, out var problem) is not { } parsed)
                throw new AuditStoreCorruptException($"The prune intent names the frame of sequence {target.Sequence} at byte {target.Offset} of '{journal.Path}', but no frame header is there ({problem}).");
            if (parsed.Sequence != target.Sequence || parsed.PayloadLength != target.PayloadLength)
                throw new AuditStoreCorruptException(
                    $"The prune intent names the frame of sequence {target.Sequence} ({target.PayloadLength} bytes) at byte {target.Offset} of '{journal.Path}', " +
                    $"but the frame there is sequence {parsed.Sequence} ({parsed.PayloadLength} bytes).");
            var total = JournalFormat.FrameHeaderLength + target.PayloadLength;
            if (frame.Length < total)
                frame = new byte[total];
            var span = frame.AsSpan(0, total);
            header.CopyTo(span);
            var payload = span[JournalFormat.FrameHeaderLength..];
            JournalStub.Write(target.Leaf, SegmentId, payload);
            var hash = span.Slice(28, ChainHasher.HashSize).ToArray();
            hashes.Add(HashHex.Encode(hash));
            JournalFormat.WriteFrameHeader(span[..JournalFormat.FrameHeaderLength], payload, parsed.Sequence, parsed.CommitFirst, parsed.CommitCount, hash);
            journal.WriteAt(target.Offset, span);
            afterFrame?.Invoke(target.Sequence);
        }
        journal.FlushWritesAtToDisk();
        return hashes;
    }
}
