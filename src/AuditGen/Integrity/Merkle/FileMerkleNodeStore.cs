using System.Buffers.Binary;
using AuditGen.Storage;
using AuditGen.Storage.Journal;
using Microsoft.Win32.SafeHandles;

namespace AuditGen.Integrity.Merkle;

/// <summary>
/// A Merkle node store in one append-only file: a 32-byte header (<c>AUDITGEN-TREE-v1</c>, then the leaf count known
/// durable, little-endian, and its CRC-32C), then every node's 32-byte hash in post-order, so a group commit's nodes are
/// one sequential write and node <c>(level, index)</c> is one positioned read. Read-only stores never write: nodes
/// appended to them (a tree caught up with records the file lacks) stay in memory.
/// </summary>
internal sealed class FileMerkleNodeStore : IMerkleNodeStore, IDisposable
{
    private const int HeaderLength = 32;
    private const int HashSize = MerkleProof.HashSize;
    private static ReadOnlySpan<byte> Magic => "AUDITGEN-TREE-v1"u8;

    private readonly FileStream? _file;
    private readonly bool _readOnly;
    private readonly ByteBufferWriter _pending = new(1 << 14);
    private long _fileNodes;

    private FileMerkleNodeStore(string path, FileStream? file, bool readOnly, long fileNodes, long syncedLeaves)
    {
        Path = path;
        _file = file;
        _readOnly = readOnly;
        _fileNodes = fileNodes;
        SyncedLeafCount = syncedLeaves;
    }

    /// <summary>The file's path, for messages.</summary>
    public string Path { get; }

    /// <summary>The leaf count whose nodes were last made durable (<see cref="Sync"/>): nodes after it may be lost or torn by a power failure.</summary>
    public long SyncedLeafCount { get; private set; }

    /// <inheritdoc />
    public long NodeCount => _fileNodes + _pending.Length / HashSize;

    /// <summary>
    /// Opens (a writer creates) the tree file. A file whose header is not a tree header is refused; a torn final node is
    /// ignored (and cut off by a writer).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not an AuditGen tree file.</exception>
    public static FileMerkleNodeStore Open(string path, bool readOnly)
    {
        if (readOnly && !File.Exists(path))
            return new FileMerkleNodeStore(path, null, true, 0, 0);
        var created = !readOnly && !File.Exists(path);
        var file = readOnly
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0)
            : new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            if (file.Length < HeaderLength)
            {
                if (readOnly)
                    return new FileMerkleNodeStore(path, file, true, 0, 0);
                // New, or torn while being created: nothing in it was ever relied on.
                file.SetLength(0);
                Span<byte> header = stackalloc byte[HeaderLength];
                WriteHeader(header, 0);
                file.Write(header);
                file.Flush(flushToDisk: true);
                if (created)
                    DirectorySync.Flush(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
                return new FileMerkleNodeStore(path, file, false, 0, 0);
            }

            Span<byte> read = stackalloc byte[HeaderLength];
            RandomAccess.Read(file.SafeFileHandle, read, 0);
            if (!read[..16].SequenceEqual(Magic))
                throw new InvalidDataException($"'{path}' is not an AuditGen Merkle tree file (no 'AUDITGEN-TREE-v1' header).");
            var synced = BinaryPrimitives.ReadInt64LittleEndian(read[16..]);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(read[24..]);
            if (Crc32C.Finish(Crc32C.Append(Crc32C.Initial, read[16..24])) != crc || synced < 0)
                synced = 0; // A torn header update: trust nothing beyond what recovery re-checks.
            var nodes = (file.Length - HeaderLength) / HashSize;
            if (!readOnly && HeaderLength + nodes * HashSize != file.Length)
                file.SetLength(HeaderLength + nodes * HashSize);
            return new FileMerkleNodeStore(path, file, readOnly, nodes, synced);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Append(int level, long index, ReadOnlySpan<byte> hash)
    {
        if (hash.Length != HashSize)
            throw new ArgumentException($"A node hash is {HashSize} bytes.", nameof(hash));
        hash.CopyTo(_pending.GetSpan(HashSize));
        _pending.Advance(HashSize);
    }

    /// <inheritdoc />
    public void Read(int level, long index, Span<byte> destination)
    {
        var position = MerkleTree.PostOrderPosition(level, index);
        if (position >= NodeCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"Node {level}/{index} is not in the tree file '{Path}' ({NodeCount} nodes).");
        if (position >= _fileNodes)
        {
            _pending.Written.Slice((int)((position - _fileNodes) * HashSize), HashSize).CopyTo(destination);
            return;
        }
        var read = RandomAccess.Read(Handle, destination[..HashSize], HeaderLength + position * HashSize);
        if (read != HashSize)
            throw new IOException($"The tree file '{Path}' ended while reading node {level}/{index}.");
    }

    /// <inheritdoc />
    public void Commit()
    {
        if (_readOnly || _pending.Length == 0)
            return;
        RandomAccess.Write(Handle, _pending.Written, HeaderLength + _fileNodes * HashSize);
        _fileNodes += _pending.Length / HashSize;
        _pending.Clear();
    }

    /// <inheritdoc />
    /// <remarks>Two fsyncs: the nodes, then the header naming them durable. Called per checkpoint and on close, not per group commit.</remarks>
    public void Sync()
    {
        if (_readOnly)
            return;
        Commit();
        _file!.Flush(flushToDisk: true);
        var leaves = MerkleTree.LeafCountFor(_fileNodes);
        if (leaves == SyncedLeafCount)
            return;
        Span<byte> header = stackalloc byte[HeaderLength];
        WriteHeader(header, leaves);
        RandomAccess.Write(Handle, header, 0);
        _file.Flush(flushToDisk: true);
        SyncedLeafCount = leaves;
    }

    /// <inheritdoc />
    public void Truncate(long nodeCount)
    {
        if (nodeCount >= NodeCount)
            return;
        if (nodeCount >= _fileNodes)
        {
            var keep = (int)((nodeCount - _fileNodes) * HashSize);
            var kept = _pending.Written[..keep].ToArray();
            _pending.Clear();
            kept.CopyTo(_pending.GetSpan(kept.Length));
            _pending.Advance(kept.Length);
            return;
        }
        _pending.Clear();
        _fileNodes = nodeCount;
        if (_readOnly)
            return;
        var leaves = MerkleTree.LeafCountFor(nodeCount);
        if (SyncedLeafCount > leaves)
        {
            Span<byte> header = stackalloc byte[HeaderLength];
            WriteHeader(header, leaves);
            RandomAccess.Write(Handle, header, 0);
            SyncedLeafCount = leaves;
        }
        _file!.SetLength(HeaderLength + nodeCount * HashSize);
        _file.Flush(flushToDisk: true);
    }

    /// <inheritdoc />
    public void Dispose() => _file?.Dispose();

    private SafeFileHandle Handle => _file?.SafeFileHandle ?? throw new InvalidOperationException($"The tree file '{Path}' does not exist.");

    private static void WriteHeader(Span<byte> header, long syncedLeaves)
    {
        header.Clear();
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], syncedLeaves);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], Crc32C.Finish(Crc32C.Append(Crc32C.Initial, header[16..24])));
    }
}
