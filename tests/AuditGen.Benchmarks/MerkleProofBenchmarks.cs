using AuditGen.Integrity;
using AuditGen.Integrity.Merkle;
using BenchmarkDotNet.Attributes;

namespace AuditGen.Benchmarks;

/// <summary>
/// Inclusion and consistency proofs in a 1,000,000-leaf tree kept in the trail's tree file format (post-order node
/// file, positioned reads), generated and verified per operation. The baseline is one positioned read of a node.
/// </summary>
[MemoryDiagnoser]
public class MerkleProofBenchmarks
{
    private const long Size = 1_000_000;
    private string _directory = null!;
    private FileMerkleNodeStore _store = null!;
    private MerkleTree _tree = null!;
    private byte[] _root = null!;
    private readonly byte[] _node = new byte[32];
    private long _next = 1;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("auditgen-proof-").FullName;
        var path = Path.Combine(_directory, "million.tree");
        using (var writer = FileMerkleNodeStore.Open(path, readOnly: false))
        {
            var tree = new MerkleTree(writer);
            Span<byte> leaf = stackalloc byte[32];
            for (long i = 0; i < Size; i++)
            {
                BitConverter.TryWriteBytes(leaf, i);
                tree.Append(System.Security.Cryptography.SHA256.HashData(leaf));
                if (i % 4096 == 0)
                    writer.Commit();
            }
            writer.Sync();
        }
        _store = FileMerkleNodeStore.Open(path, readOnly: true);
        _tree = new MerkleTree(_store);
        _root = _tree.Root();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    // A different leaf each call, spread over the whole tree (a multiplicative walk), so no path stays cached.
    private long NextIndex() => _next = (_next * 48_271) % Size;

    [Benchmark(Baseline = true)]
    public byte ReadOneNode()
    {
        _store.Read(0, NextIndex(), _node);
        return _node[0];
    }

    [Benchmark]
    public bool InclusionProofGenerateAndVerify()
    {
        var index = NextIndex();
        var proof = _tree.InclusionProof(index, Size);
        return MerkleProof.VerifyInclusion(_tree.LeafHash(index), index, Size, proof, _root);
    }

    [Benchmark]
    public bool ConsistencyProofGenerateAndVerify()
    {
        var size1 = NextIndex() + 1;
        var proof = _tree.ConsistencyProof(size1, Size);
        return MerkleProof.VerifyConsistency(size1, Size, _tree.RootAt(size1), _root, proof);
    }
}
