using AuditGen.Erasure;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Erasure;

/// <summary><see cref="ErasureOptions.VaultDirectory"/> on LiteDB: optional, honoured when set, one writer per vault.</summary>
public sealed class VaultDirectoryTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Vault => Path.Combine(_folder.Root, "keys-elsewhere");

    private AuditTrailOptions Options(string? vault, bool readOnly = false)
    {
        var options = SealingFixture.Options(_folder, readOnly);
        options.Erasure!.VaultDirectory = vault;
        return options;
    }

    [Fact]
    public async Task A_LiteDB_trail_with_a_vault_directory_keeps_its_vault_there_and_reads_it_back_after_reopening()
    {
        await using (var writer = AuditTrail.OpenLiteDb(_folder.DbPath, Options(Vault)))
            await SealingFixture.RecordNoteAsync(writer, "MRN-1", "a note", "a result");

        await using var reader = AuditTrail.OpenLiteDb(_folder.DbPath, Options(Vault, readOnly: true));
        var read = await reader.ReadSealedAsync((await SealingFixture.RecordsAsync(reader))[0]);

        Assert.Equal("\"a note\"", Assert.Single(read.Values).Json);
        Assert.True(File.Exists(Path.Combine(Vault, "keys")));
        Assert.False(Directory.Exists(_folder.DbPath + ".vault"));
    }

    [Fact]
    public void Two_LiteDB_trails_sharing_one_vault_directory_are_refused_with_an_error_naming_it()
    {
        using var first = AuditTrail.OpenLiteDb(_folder.DbPath, Options(Vault));

        var error = Assert.Throws<AuditTrailLockedException>(() => AuditTrail.OpenLiteDb(Path.Combine(_folder.Root, "other.db"), Options(Vault)));

        Assert.Contains(Vault, error.Message, StringComparison.Ordinal);
        Assert.Contains("one writer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blank_vault_directory_is_refused_naming_the_option()
    {
        var error = Assert.Throws<AuditTrailException>(() => AuditTrail.OpenLiteDb(_folder.DbPath, Options("  ")));

        Assert.Contains("AuditTrailOptions.Erasure.VaultDirectory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vault_directory_whose_parent_is_missing_is_refused_naming_it()
    {
        var missing = Path.Combine(_folder.Root, "no-such-parent", "vault");

        var error = Assert.Throws<AuditTrailException>(() => AuditTrail.OpenLiteDb(_folder.DbPath, Options(missing)));

        Assert.Contains(Path.Combine(_folder.Root, "no-such-parent"), error.Message, StringComparison.Ordinal);
    }
}
