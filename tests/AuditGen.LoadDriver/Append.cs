using System.Diagnostics;
using System.Globalization;
using AuditGen.PostgreSql;

namespace AuditGen.LoadDriver;

/// <summary>The child process: concurrent writers on one trail, every acknowledgement written down before the next append.</summary>
internal static class Append
{
    public static async Task<int> RunAsync(Arguments arguments)
    {
        var writers = arguments.Int("writers", 4);
        var count = arguments.Int("count", 1000);
        if (arguments.Flag("plain"))
            return await RunPlainAsync(arguments, writers, count);
        var trail = await OpenAsync(arguments);
        await using var closing = (IAsyncDisposable)trail;
        using var acks = arguments.Get("acks") is { } path ? new StreamWriter(path, append: false) { AutoFlush = true } : null;
        var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        output.WriteLine("READY");
        if (arguments.Flag("wait-for-go") && Console.ReadLine() != "GO")
            return 3;

        var gate = new object();
        var acked = 0;
        var watch = Stopwatch.StartNew();
        var process = Environment.ProcessId;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                var record = await trail.AppendAsync(Entry(process, w, i));
                lock (gate)
                {
                    // Written (to the page cache, which survives a killed process) before this writer's next append.
                    acks?.WriteLine($"ACK {record.Sequence} {record.Hash} {record.Id}");
                    if (++acked % 500 == 0)
                        output.WriteLine($"PROGRESS {acked}");
                }
            }
        })));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"DONE {acked} {watch.Elapsed.TotalMilliseconds:F1}"));
        return 0;
    }

    // The baseline (PlainInserts): the same writers and records, without AuditGen; nothing to acknowledge but the insert.
    private static async Task<int> RunPlainAsync(Arguments arguments, int writers, int count)
    {
        await using var dataSource = PlainInserts.DataSource(arguments.Required("postgres"));
        var log = arguments.Required("log");
        var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        output.WriteLine("READY");
        if (arguments.Flag("wait-for-go") && Console.ReadLine() != "GO")
            return 3;
        var watch = Stopwatch.StartNew();
        var process = Environment.ProcessId;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => PlainInserts.WriteAsync(dataSource, log, process, w, count))));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"DONE {writers * count} {watch.Elapsed.TotalMilliseconds:F1}"));
        return 0;
    }

    public static async Task<IAuditTrail> OpenAsync(Arguments arguments) => arguments.Get("postgres") is { } connection
        ? await PostgreSqlAuditTrail.OpenAsync(connection, arguments.Required("log"))
        : AuditTrail.OpenLiteDb(arguments.Required("litedb"));

    /// <summary>A representative tool-call entry: every field set, about 600 bytes canonical.</summary>
    public static AuditEntry Entry(int process, int writer, int i) => new()
    {
        Action = i % 2 == 0 ? AuditAction.ToolInvoked : AuditAction.ToolCompleted,
        ActorId = $"agent-{process}-{writer}",
        ConversationId = $"conv-{process}-{writer}-{i / 50}",
        UserId = "dr.house",
        SubjectId = "hmac:1:3f2a",
        AgentName = "load",
        ToolName = i % 3 == 0 ? "lookup_patient" : "schedule_visit",
        ResourceType = "patient",
        ResourceId = "hmac:1:77aa",
        Classification = DataClass.Restricted,
        Domains = ComplianceDomain.Hipaa,
        Outcome = AuditOutcome.Success,
        DurationMicros = 1_250,
        Details = $$$"""{"n":{{{i}}},"writer":{{{writer}}},"args":{"mrn":"[erased]"}}""",
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        SpanId = "00f067aa0ba902b7",
    };
}
