using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace AuditGen.Tests.Spool;

/// <summary>The store failure the spool tests inject.</summary>
internal sealed class StoreDown() : IOException("disk full");

/// <summary>An alert sink that keeps what it receives; optionally runs a check inside each call.</summary>
internal sealed class CollectingSink(Action<AuditFailure>? onFailure = null) : IAuditAlertSink
{
    private readonly List<AuditFailure> _failures = [];

    public IReadOnlyList<AuditFailure> Failures { get { lock (_failures) return _failures.ToArray(); } }

    public void OnAuditFailure(AuditFailure failure)
    {
        onFailure?.Invoke(failure);
        lock (_failures) _failures.Add(failure);
    }
}

/// <summary>Passes appends to a real trail until <c>allowed</c> have succeeded, then fails them, as a process dying mid-replay would stop them.</summary>
internal sealed class TrailThatDiesAfter(IAuditTrail inner, int allowed) : IAuditTrail
{
    private int _appends;

    public AuditTrailOptions Options => inner.Options;

    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        Interlocked.Increment(ref _appends) > allowed
            ? throw new AuditTrailException("the process died")
            : inner.AppendAsync(entry, cancellationToken);

    public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) => inner.VerifyAsync(cancellationToken);

    public IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
}

internal static class SpoolFiles
{
    /// <summary>The spool's non-empty lines, parsed.</summary>
    public static List<JsonElement> Lines(string path) =>
        ReadShared(path).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    /// <summary>The file's text, read without disturbing a sink that holds it.</summary>
    public static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The shared sample tool call, as a completion of <paramref name="toolName"/>.</summary>
    public static AuditEntry Entry(int n, string toolName = "lookup_patient") =>
        Support.Entries.ToolCall(n) with { Action = AuditAction.ToolCompleted, ToolName = toolName };

    /// <summary>Spools entries 0..count-1 through a sink, the clock advancing a second between failures.</summary>
    public static void Spool(string path, Microsoft.Extensions.Time.Testing.FakeTimeProvider time, int count, int firstN = 0)
    {
        using var sink = new FileSpoolAlertSink(path, timeProvider: time);
        for (var i = 0; i < count; i++)
        {
            sink.OnAuditFailure(new AuditFailure(Entry(firstN + i), new StoreDown()));
            time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    public static async Task<List<AuditRecord>> AllRecords(IAuditTrail trail)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in trail.QueryAsync(new AuditQuery()))
            records.Add(record);
        return records;
    }

    public static JsonElement Details(AuditRecord record) => JsonDocument.Parse(record.Details!).RootElement.Clone();

    /// <summary>Counts <c>auditgen.spool.failures</c> measurements tagged with <paramref name="toolName"/>.</summary>
    public static MeterListener CountSpoolFailures(string toolName, StrongBox<long> count)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "AuditGen" && instrument.Name == "auditgen.spool.failures")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "gen_ai.tool.name" && (string?)tag.Value == toolName)
                    Interlocked.Add(ref count.Value, value);
            }
        });
        listener.Start();
        return listener;
    }
}
