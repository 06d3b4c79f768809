using System.Text.Json;

using AuditGen.Integrity;

namespace AuditGen.Tests.Integrity.Merkle;

/// <summary>
/// Every RFC 6962 vector of transparency-dev/merkle (commit 417fb0c, testdata/inclusion and testdata/consistency; see
/// TestVectors/README.md) through the public verifiers: positive cases verify, every negative case is rejected.
/// </summary>
public sealed class Rfc6962VectorTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "TestVectors", "rfc6962");

    public static TheoryData<string> InclusionVectors() => Files("inclusion");

    public static TheoryData<string> ConsistencyVectors() => Files("consistency");

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void Inclusion_vector_is_accepted_or_rejected_as_the_reference_says(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, file)));
        var v = json.RootElement;

        var verified = MerkleProof.VerifyInclusion(
            Bytes(v, "leafHash"), Int64(v, "leafIdx"), Int64(v, "treeSize"), Proof(v), Bytes(v, "root"));

        Assert.Equal(!v.GetProperty("wantErr").GetBoolean(), verified);
    }

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public void Consistency_vector_is_accepted_or_rejected_as_the_reference_says(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, file)));
        var v = json.RootElement;

        var verified = MerkleProof.VerifyConsistency(
            Int64(v, "size1"), Int64(v, "size2"), Bytes(v, "root1"), Bytes(v, "root2"), Proof(v));

        Assert.Equal(!v.GetProperty("wantErr").GetBoolean(), verified);
    }

    [Fact]
    public void Every_vector_file_is_exercised()
    {
        var files = Directory.GetFiles(Root, "*.json", SearchOption.AllDirectories);
        Assert.True(files.Length >= 190, $"The copied RFC 6962 vectors are missing ({files.Length} files).");
        Assert.Contains(files, f => f.Contains("wrong-leaf", StringComparison.Ordinal));
    }

    [Fact]
    public void The_empty_tree_root_is_sha256_of_nothing()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(MerkleProof.EmptyRoot()));
    }

    private static TheoryData<string> Files(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, kind), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Root, file));
        return data;
    }

    // The vectors are uint64; sizes are long here, so 2^64 − 1 (an index "minus one") arrives as −1 and must be refused.
    private static long Int64(JsonElement v, string name) => unchecked((long)v.GetProperty(name).GetUInt64());

    private static byte[] Bytes(JsonElement v, string name) =>
        v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? Convert.FromBase64String(p.GetString()!) : [];

    private static byte[][] Proof(JsonElement v) =>
        v.TryGetProperty("proof", out var p) && p.ValueKind == JsonValueKind.Array
            ? [.. p.EnumerateArray().Select(e => Convert.FromBase64String(e.GetString() ?? ""))]
            : [];
}
