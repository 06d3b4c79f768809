using AuditGen.Archive;
using AuditGen.PostgreSql;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Npgsql;

namespace AuditGen.Benchmarks;

/// <summary>
/// Archive + prune of every record but the newest of a PostgreSQL log (segment written and re-read line by line against
/// the records and <c>tree_nodes</c>, <c>archive_created</c>, the segment row and <c>prune_archived_records</c> with its
/// checks in one transaction, <c>retention_applied</c>), against a full <c>VerifyAsync()</c> of the same log in the same
/// process. One cold iteration each: the archive consumes its log, so each iteration gets a fresh copy (rows copied in
/// SQL; the chain does not hash the log id) of a log built once per process through the real writer.
/// Needs <c>AUDITGEN_BENCH_POSTGRES</c> (a superuser connection string of a throwaway cluster, e.g. from
/// <c>.ci/postgres.sh start DIR</c>); <c>AUDITGEN_ARCHIVE_RECORDS</c> sets the size (default 100,000).
/// </summary>
[Config(typeof(Config))]
public class PostgreSqlArchiveBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithStrategy(RunStrategy.ColdStart).WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(1)
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(1), logOutput: true)));
    }

    private static readonly int Records = int.TryParse(Environment.GetEnvironmentVariable("AUDITGEN_ARCHIVE_RECORDS"), out var n) && n > 0 ? n : 100_000;
    private const string TemplateLog = "bench-archive-template";

    private static string? s_connection;
    private long[] _selection = null!;
    private string _log = null!;
    private string _folder = null!;
    private PostgreSqlAuditTrail _trail = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _selection = Enumerable.Range(0, Records).Select(i => (long)i).ToArray();
        if (s_connection is not null)
            return;
        var server = Environment.GetEnvironmentVariable("AUDITGEN_BENCH_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("Set AUDITGEN_BENCH_POSTGRES to a superuser connection string of a throwaway cluster (.ci/postgres.sh start DIR prints one).");
        var database = "auditgen_bench_" + Guid.NewGuid().ToString("N")[..8];
        await ExecuteAsync(server, $"CREATE DATABASE \"{database}\"");
        s_connection = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            NpgsqlConnection.ClearAllPools();
            ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)").GetAwaiter().GetResult();
        };
        await using var writer = await PostgreSqlAuditTrail.OpenAsync(s_connection, TemplateLog);
        var pending = new List<Task>(512);
        // One more than archived: the chain's newest record is never archived.
        for (var i = 0; i <= Records; i++)
        {
            pending.Add(writer.AppendAsync(SampleEntries.Entry(i % 16, i)).AsTask());
            if (pending.Count == 512)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }
        await Task.WhenAll(pending);
    }

    [IterationSetup]
    public void CopyLog()
    {
        _log = "bench-archive-" + Guid.NewGuid().ToString("N")[..8];
        _folder = Directory.CreateTempSubdirectory("auditgen-pg-archive-bench-").FullName;
        ExecuteAsync(s_connection!,
            $"INSERT INTO auditgen.logs (log_id) VALUES ('{_log}'); " +
            $"INSERT INTO auditgen.records SELECT '{_log}', r.sequence, r.id, r.timestamp_micros, r.action, r.actor_id, r.actor_type, r.conversation_id, " +
            "r.user_id, r.subject_id, r.agent_name, r.tool_name, r.resource_type, r.resource_id, r.classification, r.domains, r.outcome, r.duration_micros, r.details, " +
            "r.error_type, r.error_message, r.model, r.tokens_in, r.tokens_out, r.cost, r.trace_id, r.span_id, r.sealed, r.previous_hash, r.hash " +
            $"FROM auditgen.records r WHERE r.log_id = '{TemplateLog}'; " +
            $"INSERT INTO auditgen.tree_nodes SELECT '{_log}', position, hashes FROM auditgen.tree_nodes WHERE log_id = '{TemplateLog}'").GetAwaiter().GetResult();
        _trail = PostgreSqlAuditTrail.OpenAsync(s_connection!, _log).GetAwaiter().GetResult();
    }

    [IterationCleanup]
    public void Close()
    {
        _trail.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public async Task<long> VerifyWholeLog() => (await _trail.VerifyAsync()).RecordsChecked;

    [Benchmark]
    public async Task<long> ArchiveAndPrune()
    {
        var outcome = await _trail.ArchiveAsync(new ArchiveSelection(_selection, """{"policy":"benchmark"}"""), new FolderArchiveTarget(Path.Combine(_folder, "archive")));
        return outcome.Manifest.Count;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
