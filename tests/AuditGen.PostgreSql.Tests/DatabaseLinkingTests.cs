using System.Buffers;
using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.PostgreSql.Storage;
using AuditGen.PostgreSql.Tests.Support;

namespace AuditGen.PostgreSql.Tests;

/// <summary>
/// A writer that missed the tail (another writer of the log moved it) has the database link its next batches under the
/// lock, instead of holding the lock across its own re-linking, and checks every hash the database computed.
/// </summary>
[RequiresPostgres]
public sealed class DatabaseLinkingTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private readonly string _logId = Appends.NewLogId("linking");

    [StoreFact]
    public async Task A_writer_that_missed_the_tail_has_the_database_link_its_next_batches_onto_one_chain_and_one_tree()
    {
        await using var first = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await using var second = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        var acknowledged = new List<AuditRecord>
        {
            await first.AppendAsync(ConformanceEntries.ToolCall(0)),
            await second.AppendAsync(ConformanceEntries.ToolCall(1)),
            await first.AppendAsync(ConformanceEntries.ToolCall(2)),   // misses the tail `second` moved
            await first.AppendAsync(ConformanceEntries.ToolCall(3)),   // linked by the database
            await second.AppendAsync(ConformanceEntries.ToolCall(4)),  // misses
            await first.AppendAsync(ConformanceEntries.ToolCall(5)),   // linked by the database
        };

        var stored = await Appends.StoredAsync(first);
        var proof = await second.GetInclusionProofAsync(3);
        var result = await first.VerifyAsync();

        Assert.Equal(1, first.Sink!.TailMisses);
        Assert.Equal(2, first.Sink.DatabaseLinkedCommits);
        Assert.Equal(0, second.Sink!.DatabaseLinkedCommits);
        Assert.Equal([0L, 1, 2, 3, 4, 5], acknowledged.Select(r => r.Sequence));
        Assert.Equal(acknowledged, stored);
        Assert.All(stored, record => Assert.Equal(ChainHasher.ComputeRecordHash(record), record.Hash));
        Assert.Equal(6, await first.GetTreeSizeAsync());
        Assert.True(proof.Verify());
        Assert.True(result.IsValid, result.Reason);
    }

    [StoreFact]
    public async Task A_writer_links_its_own_batches_again_once_the_tail_stays_where_it_left_it()
    {
        await using var first = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await using var second = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        first.Sink!.ContendedCommits = 2;
        await first.AppendAsync(ConformanceEntries.ToolCall(0));
        await second.AppendAsync(ConformanceEntries.ToolCall(1));
        await first.AppendAsync(ConformanceEntries.ToolCall(2));   // misses: the next two are the database's
        var oneTripBefore = first.Sink.OneTripCommits;

        for (var i = 3; i < 7; i++)
            await first.AppendAsync(ConformanceEntries.ToolCall(i));

        Assert.Equal(2, first.Sink.DatabaseLinkedCommits);
        Assert.Equal(oneTripBefore + 2, first.Sink.OneTripCommits);
        var result = await first.VerifyAsync();
        Assert.True(result.IsValid, result.Reason);
    }

    [StoreFact]
    public async Task Four_trails_on_one_log_keep_one_unforked_chain_while_the_database_links_for_them()
    {
        var trails = new List<PostgreSqlAuditTrail>();
        for (var t = 0; t < 4; t++)
            trails.Add(await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId));
        try
        {
            var acknowledged = (await Task.WhenAll(trails.SelectMany((trail, t) => Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
            {
                var mine = new List<AuditRecord>();
                for (var i = 0; i < 40; i++)
                    mine.Add(await trail.AppendAsync(ConformanceEntries.ToolCall(i, conversation: $"conv-{t}-{w}")));
                return mine;
            }))))).SelectMany(r => r).OrderBy(r => r.Sequence).ToList();

            Assert.Equal(Enumerable.Range(0, 480).Select(i => (long)i), acknowledged.Select(r => r.Sequence));
            Assert.Equal(acknowledged, await Appends.StoredAsync(trails[0]));
            Assert.Equal(480, await trails[1].GetTreeSizeAsync());
            var result = await trails[2].VerifyAsync();
            Assert.True(result.IsValid, result.Reason);
        }
        finally
        {
            foreach (var trail in trails)
                await trail.DisposeAsync();
        }
    }

    [StoreFact]
    public async Task How_each_commit_was_linked_is_counted_for_telemetry()
    {
        var paths = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "AuditGen" && instrument.Name == "auditgen.postgresql.commits")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "auditgen.commit.path" && tag.Value is string path)
                    paths.Add(path);
        });
        listener.Start();
        await using var first = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);
        await using var second = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, _logId);

        await first.AppendAsync(ConformanceEntries.ToolCall(0));
        await second.AppendAsync(ConformanceEntries.ToolCall(1));
        await first.AppendAsync(ConformanceEntries.ToolCall(2));
        await first.AppendAsync(ConformanceEntries.ToolCall(3));

        // Other tests may commit meanwhile: at least these four, each counted once by its path.
        Assert.True(paths.Count(p => p == "one_trip") >= 2, string.Join(", ", paths));
        Assert.Contains("after_miss", paths);
        Assert.Contains("database_linked", paths);
    }

    [Fact]
    public void A_cut_record_joined_with_its_tail_gives_its_canonical_bytes_even_when_its_details_name_the_same_members()
    {
        var entry = ConformanceEntries.ToolCall(7) with { Details = """{"previousHash":"0000000000000000000000000000000000000000000000000000000000000000","sequence":0}""" };
        var details = System.Text.Encoding.UTF8.GetString(AuditRecordCodec.CanonicalizeDetails(entry.Details!));
        var id = Guid.CreateVersion7();
        var timestamp = DateTimeOffset.Parse("2026-12-01T10:00:00.123456Z", System.Globalization.CultureInfo.InvariantCulture);
        var previous = new string('a', 64);

        var cut = CanonicalCut.Of(SequencedRecord.From(entry, details, 0, id, timestamp, HashHex.Zero), new ArrayBufferWriter<byte>());
        var joined = cut.Join(previous, 1234567);

        Assert.Equal(AuditRecordCodec.GetCanonicalBytes(SequencedRecord.From(entry, details, 1234567, id, timestamp, previous)), joined);
    }
}

/// <summary>A database that links a batch other than the writer asked is caught before anyone is acknowledged.</summary>
[RequiresPostgres]
public sealed class DatabaseLinkingDistrustTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [StoreFact]
    public async Task A_hash_the_database_computed_that_the_records_bytes_do_not_give_is_refused_and_nobody_is_acknowledged()
    {
        var logId = Appends.NewLogId("distrust");
        var first = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, logId);
        await using var second = await PostgreSqlAuditTrail.OpenAsync(database.ConnectionString, logId);
        await first.AppendAsync(ConformanceEntries.ToolCall(0));
        await second.AppendAsync(ConformanceEntries.ToolCall(1));
        await first.AppendAsync(ConformanceEntries.ToolCall(2));   // misses: the next batch is the database's
        // The database now chains something else than the bytes it was sent (the last byte of each record dropped).
        await database.ExecuteAsync("ALTER FUNCTION auditgen.link_batch(text, bytea[], bytea[], bytea[]) RENAME TO link_batch_honest");
        await database.ExecuteAsync("""
            CREATE FUNCTION auditgen.link_batch(p_log_id text, p_before bytea[], p_between bytea[], p_after bytea[])
                RETURNS TABLE (ord integer, sequence bigint, previous_hash text, hash text) LANGUAGE sql AS $$
                SELECT * FROM auditgen.link_batch_honest(p_log_id, p_before, p_between,
                    ARRAY(SELECT substring(a FROM 1 FOR length(a) - 1) FROM unnest(p_after) AS a))
            $$
            """);

        var refused = await Assert.ThrowsAsync<AuditTrailException>(async () => await first.AppendAsync(ConformanceEntries.ToolCall(3)));

        Assert.Contains("did not chain what this writer sent", refused.Message + refused.InnerException?.Message);
        Assert.Equal(1, first.Sink!.TailMisses);
        Assert.Equal(0, first.Sink.DatabaseLinkedCommits);
        var result = await second.VerifyAsync();
        Assert.False(result.IsValid);
        // The writer stopped: closing it reports why.
        await Assert.ThrowsAsync<AuditTrailException>(() => first.DisposeAsync().AsTask());
    }
}

/// <summary>The application role of <c>db init</c> may have the database link: it needs nothing it lacked before.</summary>
[RequiresPostgres]
public sealed class DatabaseLinkingRoleTests(InitializedDatabase database) : IClassFixture<InitializedDatabase>
{
    [StoreFact]
    public async Task Writers_in_the_application_role_have_the_database_link_their_batches()
    {
        var logId = Appends.NewLogId("linking-app");
        await using var first = await PostgreSqlAuditTrail.OpenAsync(database.AppConnectionString, logId);
        await using var second = await PostgreSqlAuditTrail.OpenAsync(database.AppConnectionString, logId);
        for (var i = 0; i < 8; i++)
            await (i % 2 == 0 ? first : second).AppendAsync(ConformanceEntries.ToolCall(i));

        var owners = await database.ScalarAsync<string[]>(
            "SELECT array_agg(DISTINCT pg_get_userbyid(proowner)) FROM pg_proc WHERE pronamespace = 'auditgen'::regnamespace");
        var result = await first.VerifyAsync();

        Assert.True(first.Sink!.DatabaseLinkedCommits > 0 && second.Sink!.DatabaseLinkedCommits > 0);
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal([database.Roles.Owner], owners);
    }
}
