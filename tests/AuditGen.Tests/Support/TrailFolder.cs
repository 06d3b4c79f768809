using Microsoft.Extensions.Time.Testing;

namespace AuditGen.Tests.Support;

/// <summary>A temporary folder for one test's trail files, deleted afterwards.</summary>
internal sealed class TrailFolder : IDisposable
{
    public TrailFolder()
    {
        Directory.CreateDirectory(Root);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "auditgen-tests", Guid.NewGuid().ToString("N"));

    public string DbPath => Path.Combine(Root, "audit.db");

    public string JournalPath => DbPath + ".journal";

    public string LockPath => DbPath + ".lock";

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.Zero).AddTicks(5_897_930));

    public AuditTrailOptions Options(bool readOnly = false) => new() { TimeProvider = Time, ReadOnly = readOnly };

    public LiteDbAuditTrail Open(bool readOnly = false) => AuditTrail.OpenLiteDb(DbPath, Options(readOnly));

    public void Dispose()
    {
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }
}
