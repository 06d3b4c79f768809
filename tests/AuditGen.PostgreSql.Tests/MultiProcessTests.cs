using System.Globalization;
using AuditGen.PostgreSql.Tests.Support;
using Npgsql;

namespace AuditGen.PostgreSql.Tests;

/// <summary>
/// Many processes, one chain: separate OS processes (each with its own writer and group commit) append to one log.
/// Size: 4 processes × 4 writers × 25,000 records each, 400,000 in all (about 3 minutes on an idle 2-core machine);
/// AUDITGEN_MULTIPROCESS_RECORDS overrides the records per writer, e.g. for a quick local run.
/// </summary>
[RequiresPostgres]
public sealed class MultiProcessTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private const int Processes = 4, WritersPerProcess = 4;
    private readonly string _logId = Appends.NewLogId("multi");
    private readonly string _folder = Directory.CreateTempSubdirectory("auditgen-multi-").FullName;

    private static int RecordsPerWriter =>
        Environment.GetEnvironmentVariable("AUDITGEN_MULTIPROCESS_RECORDS") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : 25_000;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private List<LoadDriverProcess> StartChildren(int perWriter) => Enumerable.Range(0, Processes)
        .Select(p => LoadDriverProcess.Start(database.ConnectionString, _logId, WritersPerProcess, perWriter, Path.Combine(_folder, $"acks-{p}.txt")))
        .ToList();

    private async Task<Dictionary<long, (string Hash, Guid Id)>> ReadStoredAsync()
    {
        var stored = new Dictionary<long, (string, Guid)>();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT sequence, hash, id FROM auditgen.records WHERE log_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _logId });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            stored.Add(reader.GetInt64(0), (reader.GetString(1), reader.GetGuid(2)));
        return stored;
    }

    private async Task AssertOneGapFreeChainHoldingAsync(IEnumerable<(long Sequence, string Hash, Guid Id)> acknowledged, long? exactCount)
    {
        var stored = await ReadStoredAsync();
        if (exactCount is { } count)
            Assert.Equal(count, stored.Count);
        Assert.Equal(Enumerable.Range(0, stored.Count).Select(i => (long)i), stored.Keys.Order());
        foreach (var (sequence, hash, id) in acknowledged)
        {
            Assert.True(stored.TryGetValue(sequence, out var row), $"Acknowledged sequence {sequence} is missing.");
            Assert.Equal((hash, id), row);
        }
        // Verification recomputes the Merkle tree from the records and compares it with the stored one node by node:
        // many writer processes, one tree.
        var result = await Appends.VerifyAsync(database.ConnectionString, _logId);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(stored.Count, result.RecordsChecked);
        await using var reader = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId, new AuditTrailOptions { ReadOnly = true });
        Assert.Equal(stored.Count, await reader.GetTreeSizeAsync());
    }

    [StoreFact]
    public async Task Four_processes_of_four_writers_append_one_unforked_gap_free_chain_holding_every_acknowledged_record()
    {
        var perWriter = RecordsPerWriter;
        var children = StartChildren(perWriter);
        try
        {
            foreach (var child in children)
                await child.ExpectSuccessAsync(TimeSpan.FromMinutes(9));

            var acknowledged = children.SelectMany(c => c.ReadAcknowledgements()).ToList();
            Assert.Equal(Processes * WritersPerProcess * perWriter, acknowledged.Count);
            Assert.Equal(acknowledged.Count, acknowledged.Select(a => a.Sequence).Distinct().Count());
            await AssertOneGapFreeChainHoldingAsync(acknowledged, exactCount: acknowledged.Count);
        }
        finally
        {
            children.ForEach(c => c.Dispose());
        }
    }

    [StoreFact]
    public async Task Killing_one_process_mid_batch_loses_nothing_it_acknowledged()
    {
        var children = StartChildren(perWriter: 500);
        try
        {
            // The victim is killed while its writers are busy: some group commit of it is in flight.
            var victim = LoadDriverProcess.Start(database.ConnectionString, _logId, WritersPerProcess, 100_000, Path.Combine(_folder, "acks-victim.txt"));
            children.Add(victim);
            await victim.WaitForProgressAsync(500);
            await victim.KillAsync();
            foreach (var survivor in children.Where(c => c != victim))
                await survivor.ExpectSuccessAsync(TimeSpan.FromMinutes(8));

            var acknowledged = children.SelectMany(c => c.ReadAcknowledgements()).ToList();
            Assert.True(victim.ReadAcknowledgements().Count >= 500);
            await AssertOneGapFreeChainHoldingAsync(acknowledged, exactCount: null);

            // The log goes on: a new writer continues the chain the dead one left.
            await using var trail = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
            var next = await trail.AppendAsync(TrailConformance.ConformanceEntries.ToolCall(0));
            Assert.Equal((await ReadStoredAsync()).Count - 1, next.Sequence);
        }
        finally
        {
            children.ForEach(c => c.Dispose());
        }
    }
}
