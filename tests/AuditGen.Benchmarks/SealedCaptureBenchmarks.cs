using AuditGen.Erasure;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace AuditGen.Benchmarks;

/// <summary>
/// One tool call (Start, two arguments, invoked, completed with a result) whose 200-character note and result are
/// <see cref="RedactionStrategy.Hmac"/> pseudonyms (baseline) or <see cref="RedactionStrategy.Seal"/>ed (random
/// opening, commitment, canonical payload kept for the vault), against a trail that discards entries: the capture's own
/// CPU cost, without the vault's encryption and fsyncs (see <see cref="SealedDurableBenchmarks"/> for those).
/// </summary>
[MemoryDiagnoser]
public class SealedCaptureBenchmarks
{
    private static readonly string Note = new('n', 200);
    private static readonly AuditTrailOptions Options = new()
    {
        HmacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(),
        Erasure = new ErasureOptions { CommitmentKey = Enumerable.Range(60, 32).Select(i => (byte)i).ToArray() },
    };

    private readonly SealingDiscardingTrail _trail = new(Options);

    [Benchmark(Baseline = true)]
    public ValueTask HmacRedactedCall() => CallAsync(SealedTools.HmacNote);

    [Benchmark]
    public ValueTask SealedCall() => CallAsync(SealedTools.SealedNote);

    private async ValueTask CallAsync(ToolDescriptor tool)
    {
        var call = ToolInvocation.Start(_trail, tool);
        call.Argument(0, "MRN-100234");
        call.Argument(1, Note);
        await call.InvokedAsync();
        await call.CompletedAsync(Note);
    }

    private sealed class SealingDiscardingTrail(AuditTrailOptions options) : IAuditTrail, ISealingTrail
    {
        private readonly DiscardingAuditTrail _inner = new(options);

        public AuditTrailOptions Options => _inner.Options;

        public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) => _inner.AppendAsync(entry, cancellationToken);

        public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) => _inner.VerifyAsync(cancellationToken);

        public IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => _inner.QueryAsync(query, cancellationToken);

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _inner.FlushAsync(cancellationToken);

        public SealingKeys? SealingKeys(out string whyNot)
        {
            whyNot = "";
            return Options.Erasure!.Keys;
        }
    }
}

/// <summary>
/// Fail-closed tool calls from 16 concurrent writers on a durable LiteDB trail: HMAC-redacted (baseline) against
/// sealed, where each group commit also encrypts the values and fsyncs the payload file of every subject in it (16
/// subjects: one per writer, the worst case for the vault's fsyncs).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SealedDurableBenchmarks
{
    private const int Writers = 16;
    private const int CallsPerWriter = 250;
    private static readonly string Note = new('n', 200);
    private string _directory = null!;
    private int _round;

    [GlobalSetup]
    public void Setup() => _directory = Directory.CreateTempSubdirectory("auditgen-bench-seal-").FullName;

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Baseline = true, OperationsPerInvoke = Writers * CallsPerWriter)]
    public Task HmacRedactedDurableCalls16Writers() => RunAsync(SealedTools.HmacNote);

    [Benchmark(OperationsPerInvoke = Writers * CallsPerWriter)]
    public Task SealedDurableCalls16Writers() => RunAsync(SealedTools.SealedNote);

    private async Task RunAsync(ToolDescriptor tool)
    {
        var options = new AuditTrailOptions
        {
            HmacKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(),
            Erasure = new ErasureOptions { CommitmentKey = Enumerable.Range(60, 32).Select(i => (byte)i).ToArray() },
        };
        await using var trail = AuditTrail.OpenLiteDb(Path.Combine(_directory, $"run-{Interlocked.Increment(ref _round)}.db"), options);
        var writers = new Task[Writers];
        for (var w = 0; w < Writers; w++)
        {
            var subject = "MRN-" + w.ToString(System.Globalization.CultureInfo.InvariantCulture);
            writers[w] = Task.Run(async () =>
            {
                for (var i = 0; i < CallsPerWriter; i++)
                {
                    var call = ToolInvocation.Start(trail, tool);
                    call.Argument(0, subject);
                    call.Argument(1, Note);
                    await call.InvokedAsync();
                    await call.CompletedAsync(Note);
                }
            });
        }
        await Task.WhenAll(writers);
        await trail.FlushAsync();
    }
}

/// <summary>The same note tool, HMAC-redacted or sealed.</summary>
internal static class SealedTools
{
    public static readonly ToolDescriptor HmacNote = Note("hmac_note", RedactionStrategy.Hmac);

    public static readonly ToolDescriptor SealedNote = Note("sealed_note", RedactionStrategy.Seal);

    private static ToolDescriptor Note(string name, RedactionStrategy strategy) => new(
        name, "Bench.NoteTools", "RecordNote", null, AuditAction.DataModified, "Note", DataClass.Restricted,
        ComplianceDomain.Gdpr, AuditFailurePolicy.FailClosed,
        [
            new ToolParameter("mrn", "string", DataClass.Confidential, RedactionStrategy.Hmac, ToolParameterRole.SubjectId, []),
            new ToolParameter("note", "string", DataClass.Restricted, strategy, ToolParameterRole.None, []),
        ],
        new ToolReturn("string", DataClass.Restricted, strategy));
}
