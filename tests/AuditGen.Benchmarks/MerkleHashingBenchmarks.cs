using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Merkle;
using AuditGen.Storage;
using BenchmarkDotNet.Attributes;

namespace AuditGen.Benchmarks;

/// <summary>
/// The writer's CPU per record, isolated: one chain link (canonical JSON + leaf + chain SHA-256, the baseline), and the
/// tree's share (append one leaf to the incremental tree with its post-order file store: about one node SHA-256 plus
/// 64 bytes buffered per record).
/// </summary>
[MemoryDiagnoser]
public class MerkleHashingBenchmarks
{
    private readonly ByteBufferWriter _canonical = new(2048);
    private readonly byte[] _previous = new byte[32];
    private readonly byte[] _leaf = new byte[32];
    private readonly byte[] _hash = new byte[32];
    private AuditRecord _record = null!;
    private MerkleTree _tree = null!;
    private FileMerkleNodeStore _store = null!;
    private string _directory = null!;
    private int _appended;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("auditgen-hash-").FullName;
        var entry = SampleEntries.Entry(1, 1);
        _record = SequencedRecord.From(entry, entry.Details, 42, Guid.CreateVersion7(), DateTimeOffset.UnixEpoch, HashHex.Zero);
        _store = FileMerkleNodeStore.Open(Path.Combine(_directory, "bench.tree"), readOnly: false);
        _tree = new MerkleTree(_store);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public byte ChainLink()
    {
        _canonical.Clear();
        AuditRecordCodec.Write(_record, _canonical, includeHash: false, detailsAreCanonical: true);
        ChainHasher.ComputeLeaf(_canonical.Written, _leaf);
        ChainHasher.ComputeChain(_previous, _leaf, _hash);
        return _hash[0];
    }

    [Benchmark]
    public long TreeAppend()
    {
        _tree.Append(_leaf);
        // A group commit's worth of nodes reaches the file in one write, as the writer does.
        if (++_appended % 256 == 0)
            _store.Commit();
        return _tree.Size;
    }
}
