using System.Text.Json;
using AuditGen.Tests.Invocation;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Spool;

public sealed class AuditSpoolReplayTests
{
    [Fact]
    public async Task Replay_appends_one_outage_marker_then_every_spooled_entry_in_order_and_the_trail_verifies()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        // The outage: a fail-open tool call whose records cannot be appended, spooled by the sink.
        using (var sink = new FileSpoolAlertSink(spoolPath, timeProvider: folder.Time))
        {
            var down = TestTrails.Create(o =>
            {
                o.FailurePolicy = AuditFailurePolicy.FailOpen;
                o.AlertSink = sink;
            });
            down.FailAppendsWith(_ => new StoreDown(), synchronously: true);
            // (The result is Internal and recorded as given, so this tool's result does not repeat the MRN.)
            var tools = new PatientTools { Lookup = (_, _) => Task.FromResult("found") };
            await new AuditedPatientTools(tools, down).LookupPatientAsync("MRN-0042", "follow-up");
            folder.Time.Advance(TimeSpan.FromSeconds(5));
            sink.OnAuditFailure(new AuditFailure(SpoolFiles.Entry(7), new StoreDown()));
        }

        var spooled = SpoolFiles.Lines(spoolPath);
        folder.Time.Advance(TimeSpan.FromMinutes(10)); // the restart
        await using var trail = folder.Open();

        var result = await AuditSpool.ReplayAsync(trail, spoolPath);

        Assert.Equal(new SpoolReplayResult(3, 0), result);
        Assert.False(File.Exists(spoolPath));
        Assert.False(File.Exists(spoolPath + ".replaying"));
        Assert.True((await trail.VerifyAsync()).IsValid);

        var records = await SpoolFiles.AllRecords(trail);
        Assert.Equal(4, records.Count);
        var marker = records[0];
        Assert.Equal(AuditAction.Error, marker.Action);
        Assert.Equal(ActorType.System, marker.ActorType);
        Assert.Equal(AuditOutcome.Failure, marker.Outcome);
        Assert.Equal(ComplianceDomain.Hipaa | ComplianceDomain.Gdpr, marker.Domains);
        var spool = SpoolFiles.Details(marker).GetProperty("spool");
        Assert.Equal("audit.spool", spool.GetProperty("file").GetString());
        Assert.Equal(3, spool.GetProperty("entries").GetInt32());
        Assert.Equal("2025-03-14T09:26:53.5897930Z", spool.GetProperty("firstFailedAt").GetString());
        Assert.Equal("2025-03-14T09:26:58.5897930Z", spool.GetProperty("lastFailedAt").GetString());
        Assert.Contains("appended late", SpoolFiles.Details(marker).GetProperty("message").GetString());

        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted, AuditAction.ToolCompleted], records.Skip(1).Select(r => r.Action));
        for (var i = 0; i < 3; i++)
        {
            var line = spooled[i];
            var record = records[i + 1];
            var details = SpoolFiles.Details(record);
            var metadata = details.GetProperty("spooled");
            Assert.Equal(line.GetProperty("spoolId").GetString(), metadata.GetProperty("spoolId").GetString());
            Assert.Equal(line.GetProperty("failedAt").GetString(), metadata.GetProperty("failedAt").GetString());
            Assert.Equal($"{typeof(StoreDown).FullName}: disk full", metadata.GetProperty("reason").GetString());
            // The original details are all still there.
            foreach (var member in line.GetProperty("entry").GetProperty("details").EnumerateObject())
                Assert.True(JsonElement.DeepEquals(member.Value, details.GetProperty(member.Name)), member.Name);
            Assert.Equal(line.GetProperty("entry").GetProperty("subjectId").GetString(), record.SubjectId);
        }

        Assert.Equal("lookup_patient", records[1].ToolName);
        Assert.DoesNotContain("MRN-0042", string.Join("\n", records.Select(r => r.SubjectId + r.Details)));
        var last = records[3];
        Assert.Equal((0.0125m, 1_257L, 120L, "hmac:1:77aa", DataClass.Restricted), (last.Cost, last.DurationMicros!.Value, last.TokensIn!.Value, last.ResourceId, last.Classification));
    }

    [Theory]
    [InlineData(0)] // died before the marker was appended
    [InlineData(1)] // after the marker only
    [InlineData(3)] // after the marker and two entries
    [InlineData(6)] // after every append, before the .replaying file was deleted
    public async Task Replaying_again_after_a_crash_mid_replay_appends_nothing_twice(int appendsBeforeTheCrash)
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        SpoolFiles.Spool(spoolPath, folder.Time, count: 5);
        var copy = File.ReadAllBytes(spoolPath);
        await using var trail = folder.Open();

        if (appendsBeforeTheCrash < 6)
        {
            await Assert.ThrowsAsync<AuditTrailException>(() => AuditSpool.ReplayAsync(new TrailThatDiesAfter(trail, appendsBeforeTheCrash), spoolPath));
        }
        else
        {
            await AuditSpool.ReplayAsync(trail, spoolPath);
            File.WriteAllBytes(spoolPath + ".replaying", copy); // as if the delete had not happened
        }

        Assert.False(File.Exists(spoolPath));
        Assert.True(File.Exists(spoolPath + ".replaying"));
        Assert.Equal(appendsBeforeTheCrash, (await SpoolFiles.AllRecords(trail)).Count);

        var result = await AuditSpool.ReplayAsync(trail, spoolPath);

        var alreadyAppended = Math.Max(0, appendsBeforeTheCrash - 1);
        Assert.Equal(new SpoolReplayResult(5 - alreadyAppended, alreadyAppended), result);
        var records = await SpoolFiles.AllRecords(trail);
        Assert.Equal(6, records.Count);
        Assert.Single(records, r => r.Action == AuditAction.Error);
        Assert.Equal(AuditAction.Error, records[0].Action);
        Assert.Equal([0, 1, 2, 3, 4], records.Skip(1).Select(r => SpoolFiles.Details(r).GetProperty("n").GetInt32()));
        Assert.False(File.Exists(spoolPath + ".replaying"));
        Assert.True((await trail.VerifyAsync()).IsValid);

        Assert.Equal(new SpoolReplayResult(0, 0), await AuditSpool.ReplayAsync(trail, spoolPath)); // and once done, done
    }

    [Fact]
    public async Task An_interrupted_replay_is_finished_before_a_newer_spool_of_the_same_name_which_gets_its_own_marker()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        SpoolFiles.Spool(spoolPath, folder.Time, count: 2);
        await using var trail = folder.Open();
        await Assert.ThrowsAsync<AuditTrailException>(() => AuditSpool.ReplayAsync(new TrailThatDiesAfter(trail, 2), spoolPath));
        SpoolFiles.Spool(spoolPath, folder.Time, count: 2, firstN: 10); // the outage went on

        var result = await AuditSpool.ReplayAsync(trail, spoolPath);

        Assert.Equal(new SpoolReplayResult(3, 1), result);
        var records = await SpoolFiles.AllRecords(trail);
        Assert.Equal(
            ["error", "0", "1", "error", "10", "11"],
            records.Select(r => r.Action == AuditAction.Error ? "error" : SpoolFiles.Details(r).GetProperty("n").GetInt32().ToString()));
        Assert.Equal(2, records.Where(r => r.Action == AuditAction.Error).Select(r => SpoolFiles.Details(r).GetProperty("spool").GetProperty("firstSpoolId").GetString()).Distinct().Count());
        Assert.True((await trail.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task A_malformed_line_is_reported_with_the_file_and_its_line_number_and_nothing_is_appended()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        SpoolFiles.Spool(spoolPath, folder.Time, count: 1);
        File.AppendAllText(spoolPath, "\n{\"spoolId\": oops}\n");
        SpoolFiles.Spool(spoolPath, folder.Time, count: 1, firstN: 1);
        var before = File.ReadAllBytes(spoolPath);
        await using var trail = folder.Open();

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => AuditSpool.ReplayAsync(trail, spoolPath));

        Assert.Contains(spoolPath, error.Message);
        Assert.Contains("line 3", error.Message); // line 2 is blank
        Assert.Empty(await SpoolFiles.AllRecords(trail));
        Assert.Equal(before, File.ReadAllBytes(spoolPath)); // kept, where it was
        Assert.False(File.Exists(spoolPath + ".replaying"));
    }

    [Theory]
    [InlineData("""{"spoolId":"4b9e1f9c-55a3-4a7e-9b07-1f1f8d2c3e10","failedAt":"2025-03-14T09:26:53Z","reason":"r","entry":{"action":"exploded"}}""", "entry.action")]
    [InlineData("""{"spoolId":"4b9e1f9c-55a3-4a7e-9b07-1f1f8d2c3e10","failedAt":"2025-03-14T09:26:53Z","reason":"r"}""", "'entry'")]
    [InlineData("""{"spoolId":"x","failedAt":"2025-03-14T09:26:53Z","reason":"r","entry":{"action":"error"}}""", "spoolId")]
    [InlineData("""{"spoolId":"4b9e1f9c-55a3-4a7e-9b07-1f1f8d2c3e10","failedAt":"2025-03-14T09:26:53Z","reason":"r","entry":{"action":"error","details":{"a":1,"a":2}}}""", "repeats")]
    public async Task A_line_the_trail_could_not_take_is_reported_as_malformed_before_anything_is_appended(string line, string expected)
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        SpoolFiles.Spool(spoolPath, folder.Time, count: 1);
        File.AppendAllText(spoolPath, line + "\n");
        await using var trail = folder.Open();

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => AuditSpool.ReplayAsync(trail, spoolPath));

        Assert.Contains("line 2", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Empty(await SpoolFiles.AllRecords(trail));
    }

    [Fact]
    public async Task A_missing_spool_replays_nothing()
    {
        using var folder = new TrailFolder();
        await using var trail = folder.Open();

        Assert.Equal(new SpoolReplayResult(0, 0), await AuditSpool.ReplayAsync(trail, Path.Combine(folder.Root, "audit.spool")));
        Assert.Equal(new SpoolReplayResult(0, 0), await AuditSpool.ReplayAsync(trail, Path.Combine(folder.Root, "no-such-dir", "audit.spool")));
        Assert.Empty(await SpoolFiles.AllRecords(trail));
    }

    [Fact]
    public async Task A_spool_held_by_a_live_sink_is_not_replayed_until_the_sink_is_disposed()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        var sink = new FileSpoolAlertSink(spoolPath, timeProvider: folder.Time);
        sink.OnAuditFailure(new AuditFailure(SpoolFiles.Entry(0), new StoreDown()));
        await using var trail = folder.Open();

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => AuditSpool.ReplayAsync(trail, spoolPath));
        Assert.Contains("in use", error.Message);
        Assert.True(File.Exists(spoolPath));
        Assert.Empty(await SpoolFiles.AllRecords(trail));

        sink.Dispose();
        Assert.Equal(new SpoolReplayResult(1, 0), await AuditSpool.ReplayAsync(trail, spoolPath));
    }

    [Fact]
    public async Task Details_that_were_not_a_json_object_are_replayed_under_unparsedDetails_and_null_details_get_only_the_spooled_member()
    {
        using var folder = new TrailFolder();
        var spoolPath = Path.Combine(folder.Root, "audit.spool");
        using (var sink = new FileSpoolAlertSink(spoolPath, timeProvider: folder.Time))
        {
            sink.OnAuditFailure(new AuditFailure(new AuditEntry { Action = AuditAction.ToolInvoked, Details = "[1,2" }, new StoreDown()));
            sink.OnAuditFailure(new AuditFailure(new AuditEntry { Action = AuditAction.ToolInvoked }, new StoreDown()));
        }

        await using var trail = folder.Open();

        Assert.Equal(new SpoolReplayResult(2, 0), await AuditSpool.ReplayAsync(trail, spoolPath));
        var records = await SpoolFiles.AllRecords(trail);
        Assert.Equal("[1,2", SpoolFiles.Details(records[1]).GetProperty("unparsedDetails").GetString());
        Assert.Equal(["spooled"], SpoolFiles.Details(records[2]).EnumerateObject().Select(p => p.Name));
    }
}
