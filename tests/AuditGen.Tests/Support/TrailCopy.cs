namespace AuditGen.Tests.Support;

/// <summary>A copy of a closed trail's files (not its export folder), to restore later: an older backup.</summary>
internal sealed class TrailCopy
{
    private readonly TrailFolder _folder;
    private readonly Dictionary<string, byte[]> _files;

    private TrailCopy(TrailFolder folder, Dictionary<string, byte[]> files)
    {
        _folder = folder;
        _files = files;
    }

    public static TrailCopy Take(TrailFolder folder) => new(folder,
        Directory.EnumerateFiles(folder.Root, "audit*").ToDictionary(f => Path.GetFileName(f), f => File.ReadAllBytes(f)));

    public void Restore()
    {
        foreach (var file in Directory.EnumerateFiles(_folder.Root, "audit*"))
            File.Delete(file);
        foreach (var (name, bytes) in _files)
            File.WriteAllBytes(Path.Combine(_folder.Root, name), bytes);
    }
}
