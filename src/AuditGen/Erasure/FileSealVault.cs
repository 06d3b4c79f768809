using System.Security.Cryptography;
using AuditGen.Storage;
using AuditGen.Storage.Journal;

namespace AuditGen.Erasure;

/// <summary>
/// The trails' vault: a folder (by default beside a LiteDB trail, <c>audit.db.vault/</c>; for PostgreSQL wherever
/// <see cref="ErasureOptions.VaultDirectory"/> says) holding the key slots (<c>keys</c>) and one payload file per subject
/// key (<c>k00000001.seal</c>); formats in <see cref="VaultFiles"/>. Every write is fsynced before it returns, and a new
/// file's directory entry too. One writer per vault (<see cref="WriterLockFileName"/>); in it, thread-safe (one lock):
/// the trail's writer seals, an erasure or a reader may run beside it.
/// </summary>
internal sealed class FileSealVault : ISealVault
{
    private const int MaxOpenPayloadFiles = 32;

    private readonly string _directory;
    private readonly bool _readOnly;
    private readonly object _gate = new();
    private readonly List<VaultKey> _keys = [];
    private readonly FileStream? _keysFile;
    private readonly WriteLock? _writerLock;
    private readonly Dictionary<long, FileStream> _open = [];
    private readonly ByteBufferWriter _buffer = new(4096);
    private bool _disposed;

    private FileSealVault(string directory, bool readOnly, FileStream? keysFile, WriteLock? writerLock)
    {
        _directory = directory;
        _readOnly = readOnly;
        _keysFile = keysFile;
        _writerLock = writerLock;
    }

    /// <summary>The file a writer holds exclusively (never deleted, like the trail's own lock file).</summary>
    public const string WriterLockFileName = "writer.lock";

    /// <summary>The folder of the vault of the trail at <paramref name="trailPath"/>.</summary>
    public static string DirectoryFor(string trailPath) => trailPath + ".vault";

    /// <summary>Whether the trail at <paramref name="trailPath"/> has a vault.</summary>
    public static bool Exists(string trailPath) => DirectoryHasVault(DirectoryFor(trailPath));

    /// <summary>Whether <paramref name="directory"/> holds a vault.</summary>
    public static bool DirectoryHasVault(string directory) => File.Exists(Path.Combine(directory, VaultFiles.KeysFileName));

    /// <summary>Opens the vault of the trail at <paramref name="trailPath"/> (see <see cref="OpenDirectory"/>).</summary>
    /// <exception cref="AuditStoreCorruptException">The key file is not a vault key file.</exception>
    public static FileSealVault Open(string trailPath, bool readOnly) => OpenDirectory(DirectoryFor(trailPath), readOnly);

    /// <summary>
    /// Opens (a writer: creates, durably) the vault in <paramref name="directory"/>. A writer takes the vault's
    /// <c>writer.lock</c> for as long as it lives, then repairs what a crash left: a torn key slot is completed as erased,
    /// a torn slot append is cut off. Readers take no lock and may open beside the writer.
    /// </summary>
    /// <exception cref="AuditStoreCorruptException">The key file is not a vault key file.</exception>
    /// <exception cref="AuditTrailLockedException">Another writer (in this or another process) holds the vault.</exception>
    /// <exception cref="AuditTrailException">The vault's parent folder does not exist.</exception>
    public static FileSealVault OpenDirectory(string directory, bool readOnly)
    {
        directory = Path.GetFullPath(directory);
        var keysPath = Path.Combine(directory, VaultFiles.KeysFileName);
        if (readOnly)
        {
            var reader = new FileSealVault(directory, true, null, null);
            if (File.Exists(keysPath))
                reader.Load(File.ReadAllBytes(keysPath), keysPath, repair: null);
            return reader;
        }

        if (!Directory.Exists(directory))
        {
            var parent = Path.GetDirectoryName(directory);
            if (parent is null || !Directory.Exists(parent))
                throw new AuditTrailException($"Cannot create the vault '{directory}': its parent folder '{parent}' does not exist.");
            Directory.CreateDirectory(directory);
            DirectorySync.Flush(parent);
        }
        var writerLock = AcquireWriterLock(directory);
        FileStream? stream = null;
        try
        {
            var created = !File.Exists(keysPath);
            stream = new FileStream(keysPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.None);
            if (created || stream.Length == 0)
            {
                stream.Write(VaultFiles.KeysHeader());
                stream.Flush(flushToDisk: true);
                DirectorySync.Flush(directory);
            }
            var bytes = new byte[stream.Length];
            stream.Position = 0;
            stream.ReadExactly(bytes);
            var vault = new FileSealVault(directory, false, stream, writerLock);
            vault.Load(bytes, keysPath, repair: stream);
            return vault;
        }
        catch
        {
            stream?.Dispose();
            writerLock.Dispose();
            throw;
        }
    }

    // The key file's own open cannot be the lock: on Unix a FileShare.Read writer takes a shared flock, which a second
    // writer would share. A separate file held with FileShare.None (an exclusive flock) is the one-writer guarantee.
    private static WriteLock AcquireWriterLock(string directory)
    {
        var lockPath = Path.Combine(directory, WriterLockFileName);
        try
        {
            return WriteLock.Acquire(lockPath);
        }
        catch (AuditTrailLockedException e)
        {
            throw new AuditTrailLockedException(
                $"The vault '{directory}' is held by another writer (in this or another process; lock '{lockPath}'): a vault has exactly one writer. " +
                "Sealing on several instances needs one vault per log, held by the one instance that seals for that log " +
                "(the others append without AuditTrailOptions.Erasure, or each seals into a log of its own), or a shared vault service. " +
                "Readers may open the vault read-only beside its writer.", e.InnerException);
        }
    }

    /// <inheritdoc />
    public string Location => _directory;

    /// <inheritdoc />
    public VaultKey LiveKey(ReadOnlySpan<byte> pseudonym, DateTimeOffset now)
    {
        lock (_gate)
        {
            ThrowIfUnusable(writing: true);
            for (var i = _keys.Count - 1; i >= 0; i--)
            {
                var key = _keys[i];
                if (!key.IsErased && pseudonym.SequenceEqual(key.Pseudonym))
                    return key;
            }

            var fresh = new VaultKey(_keys.Count, pseudonym.ToArray(), RandomNumberGenerator.GetBytes(SealingKeys.Length), now, null);
            WriteSlot(fresh);
            _keys.Add(fresh);
            return fresh;
        }
    }

    /// <inheritdoc />
    public VaultKey? Key(long keyNumber)
    {
        lock (_gate)
        {
            ThrowIfUnusable(writing: false);
            if (_readOnly)
                return ReadSlotFromDisk(keyNumber);
            return keyNumber >= 0 && keyNumber < _keys.Count ? _keys[(int)keyNumber] : null;
        }
    }

    // A reader beside a live writer: keys are created and erased after it opened, so each look-up reads the slot itself.
    private VaultKey? ReadSlotFromDisk(long keyNumber)
    {
        if (keyNumber < 0)
            return null;
        var path = Path.Combine(_directory, VaultFiles.KeysFileName);
        var slot = new byte[VaultFiles.SlotLength];
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (RandomAccess.Read(handle, slot, VaultFiles.KeysHeaderLength + keyNumber * VaultFiles.SlotLength) < VaultFiles.SlotLength)
                return null;
            return VaultFiles.ReadSlot(slot, keyNumber, out _);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(slot);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<VaultKey> KeysOf(ReadOnlySpan<byte> pseudonym)
    {
        lock (_gate)
        {
            ThrowIfUnusable(writing: false);
            var keys = new List<VaultKey>();
            foreach (var key in _keys)
            {
                if (pseudonym.SequenceEqual(key.Pseudonym))
                    keys.Add(key);
            }
            return keys;
        }
    }

    /// <inheritdoc />
    public void Write(IReadOnlyList<VaultFrame> frames)
    {
        if (frames.Count == 0)
            return;
        lock (_gate)
        {
            ThrowIfUnusable(writing: true);
            var touched = new List<FileStream>();
            var i = 0;
            while (i < frames.Count)
            {
                // Frames of one key are contiguous when the writer groups them; any order works, one write per run.
                var keyNumber = frames[i].KeyNumber;
                if (Key(keyNumber) is not { IsErased: false })
                {
                    // The subject was erased between the key's assignment and now (an erasure beside the writer): its
                    // records read as erased, which they are; their payloads must not outlive the key.
                    while (i < frames.Count && frames[i].KeyNumber == keyNumber)
                        i++;
                    continue;
                }
                _buffer.Clear();
                while (i < frames.Count && frames[i].KeyNumber == keyNumber)
                    VaultFiles.WriteFrame(frames[i++], _buffer);
                var file = PayloadFile(keyNumber);
                file.Write(_buffer.Written);
                if (!touched.Contains(file))
                    touched.Add(file);
            }
            foreach (var file in touched)
                file.Flush(flushToDisk: true);
            CryptographicOperations.ZeroMemory(_buffer.Written);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<VaultFrame> Frames(long keyNumber, Guid recordId)
    {
        var found = new List<VaultFrame>();
        foreach (var frame in AllFrames(keyNumber))
        {
            if (frame.RecordId == recordId)
                found.Add(frame);
        }
        return found;
    }

    /// <inheritdoc />
    public VaultErasure Erase(ReadOnlySpan<byte> pseudonym, DateTimeOffset now)
    {
        lock (_gate)
        {
            ThrowIfUnusable(writing: true);
            var destroyed = 0;
            var already = 0;
            var values = 0;
            var records = new HashSet<Guid>();
            for (var i = 0; i < _keys.Count; i++)
            {
                var key = _keys[i];
                if (!pseudonym.SequenceEqual(key.Pseudonym))
                    continue;
                foreach (var frame in AllFrames(key.KeyNumber))
                {
                    values++;
                    records.Add(frame.RecordId);
                }

                if (key.IsErased)
                {
                    already++;
                }
                else
                {
                    // The irreversible step first: once the seed is zeros on disk, the payloads are unreadable even if
                    // deleting them is interrupted.
                    var erased = key with { Seed = null, ErasedAt = now };
                    WriteSlot(erased);
                    CryptographicOperations.ZeroMemory(key.Seed);
                    _keys[i] = erased;
                    destroyed++;
                    ErasureSteps.Reach("key-destroyed");
                }
                DeletePayloadFile(key.KeyNumber);
            }
            return new VaultErasure(destroyed, already, values, records.Count);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Files() =>
        Directory.Exists(_directory) ? Directory.GetFiles(_directory) : [];

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (var file in _open.Values)
                file.Dispose();
            _open.Clear();
            _keysFile?.Dispose();
            _writerLock?.Dispose();
            foreach (var key in _keys)
            {
                if (key.Seed is { } seed)
                    CryptographicOperations.ZeroMemory(seed);
            }
        }
    }

    private void Load(byte[] bytes, string keysPath, FileStream? repair)
    {
        if (bytes.Length < VaultFiles.KeysHeaderLength || !bytes.AsSpan(0, 8).SequenceEqual(VaultFiles.KeysMagic))
            throw new AuditStoreCorruptException($"'{keysPath}' is not an AuditGen vault key file (bad header).");
        var slots = (bytes.Length - VaultFiles.KeysHeaderLength) / VaultFiles.SlotLength;
        for (var n = 0; n < slots; n++)
        {
            var slot = bytes.AsSpan(VaultFiles.KeysHeaderLength + n * VaultFiles.SlotLength, VaultFiles.SlotLength);
            var key = VaultFiles.ReadSlot(slot, n, out var intact);
            _keys.Add(key);
            if (!intact && repair is not null)
            {
                // A torn slot: an erasure (or the creation of a key nothing was acknowledged under) was interrupted.
                // Completing it as erased is the only state that cannot leave a readable half.
                WriteSlot(key);
            }
            CryptographicOperations.ZeroMemory(slot);
        }

        var whole = VaultFiles.KeysHeaderLength + (long)slots * VaultFiles.SlotLength;
        if (repair is not null && bytes.Length > whole)
        {
            // A torn append of a new slot: its key was never used (creation is durable before any payload is sealed).
            repair.SetLength(whole);
            repair.Flush(flushToDisk: true);
        }
    }

    private void WriteSlot(VaultKey key)
    {
        var stream = _keysFile ?? throw new InvalidOperationException("The vault was opened read-only.");
        var slot = VaultFiles.Slot(key);
        stream.Position = VaultFiles.KeysHeaderLength + key.KeyNumber * VaultFiles.SlotLength;
        stream.Write(slot);
        stream.Flush(flushToDisk: true);
        CryptographicOperations.ZeroMemory(slot);
    }

    private List<VaultFrame> AllFrames(long keyNumber)
    {
        var path = Path.Combine(_directory, VaultFiles.PayloadFileName(keyNumber));
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        return VaultFiles.ReadFrames(bytes, keyNumber, out _);
    }

    private FileStream PayloadFile(long keyNumber)
    {
        if (_open.TryGetValue(keyNumber, out var open))
            return open;
        if (_open.Count >= MaxOpenPayloadFiles)
        {
            foreach (var file in _open.Values)
                file.Dispose();
            _open.Clear();
        }

        var path = Path.Combine(_directory, VaultFiles.PayloadFileName(keyNumber));
        var created = !File.Exists(path);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.None);
        try
        {
            if (created || stream.Length == 0)
            {
                stream.Write(VaultFiles.PayloadHeader(keyNumber));
                stream.Flush(flushToDisk: true);
                DirectorySync.Flush(_directory);
            }
            else
            {
                // Cut off a torn last frame (never acknowledged), so new frames follow the last intact one.
                var bytes = new byte[stream.Length];
                stream.Position = 0;
                stream.ReadExactly(bytes);
                VaultFiles.ReadFrames(bytes, keyNumber, out var valid);
                if (valid < VaultFiles.PayloadHeaderLength)
                    throw new AuditStoreCorruptException($"The vault payload file '{path}' has a bad header.");
                if (valid < bytes.Length)
                {
                    stream.SetLength(valid);
                    stream.Flush(flushToDisk: true);
                }
            }
            stream.Seek(0, SeekOrigin.End);
            _open[keyNumber] = stream;
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private void DeletePayloadFile(long keyNumber)
    {
        if (_open.Remove(keyNumber, out var open))
            open.Dispose();
        var path = Path.Combine(_directory, VaultFiles.PayloadFileName(keyNumber));
        if (!File.Exists(path))
            return;
        // The ciphertext is unreadable once the seed is gone; overwrite it anyway, so no trace outlives the erasure on
        // file systems that reuse blocks in place.
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0))
        {
            var zeros = new byte[Math.Min(stream.Length, 1 << 16)];
            var remaining = stream.Length;
            while (remaining > 0)
            {
                var chunk = (int)Math.Min(remaining, zeros.Length);
                stream.Write(zeros, 0, chunk);
                remaining -= chunk;
            }
            stream.Flush(flushToDisk: true);
        }
        File.Delete(path);
        DirectorySync.Flush(_directory);
    }

    private void ThrowIfUnusable(bool writing)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (writing && _readOnly)
            throw new AuditTrailException($"The vault '{_directory}' was opened read-only: it cannot seal or erase.");
    }
}
