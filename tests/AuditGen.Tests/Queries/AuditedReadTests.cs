using System.Text.Json;
using AuditGen.Queries;
using AuditGen.Storage.Journal;
using AuditGen.Tests.Support;

namespace AuditGen.Tests.Queries;

public sealed class AuditedReadTests : IDisposable
{
    private readonly TrailFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static AuditedReader As(IAuditTrail trail, AuditReaderRole role, string id = "reader-1") => new(trail, new AuditReader(id, role));

    private static JsonElement DetailsOf(AuditRecord record) => JsonDocument.Parse(record.Details!).RootElement;

    [Fact]
    public async Task An_operator_sees_a_restricted_record_in_the_redacted_view()
    {
        await using var trail = _folder.Open();
        var stored = await ReadCorpus.AppendAsync(trail);

        var read = await As(trail, AuditReaderRole.Operator).ReadAsync(new AuditQuery { MinimumClassification = DataClass.Restricted });
        var view = Assert.Single(await read.ToListAsync());

        Assert.True(view.IsRedacted);
        Assert.Equal("""{"withheld":"restricted"}""", view.Record.Details);
        Assert.Equal(AuditRecordView.WithheldMarker, view.Record.ResourceId);
        Assert.Equal(AuditRecordView.WithheldMarker, view.Record.SubjectId);
        Assert.Equal(AuditRecordView.WithheldMarker, view.Record.Sealed);
        Assert.Equal(new AuditError("System.TimeoutException", AuditRecordView.WithheldMarker), view.Record.Error);
        // Metadata stays: what happened, where, when, how it ended.
        Assert.Equal(stored[3] with { Details = view.Record.Details, ResourceId = view.Record.ResourceId, SubjectId = view.Record.SubjectId, Sealed = view.Record.Sealed, Error = view.Record.Error }, view.Record);
    }

    [Fact]
    public async Task An_auditor_sees_a_restricted_record_in_full()
    {
        await using var trail = _folder.Open();
        var stored = await ReadCorpus.AppendAsync(trail);

        var read = await As(trail, AuditReaderRole.Auditor).ReadAsync(new AuditQuery { MinimumClassification = DataClass.Restricted });
        var view = Assert.Single(await read.ToListAsync());

        Assert.False(view.IsRedacted);
        Assert.Equal(stored[3], view.Record);
        Assert.Contains("J45.909", view.Record.Details);
    }

    [Fact]
    public async Task An_operator_sees_public_and_internal_records_in_full_and_confidential_ones_redacted()
    {
        await using var trail = _folder.Open();
        var stored = await ReadCorpus.AppendAsync(trail);

        var views = await (await As(trail, AuditReaderRole.Operator).ReadAsync(new AuditQuery { ConversationId = "conv-7" })).ToListAsync();

        Assert.Equal([false, false, true, true], views.Select(v => v.IsRedacted));
        Assert.Equal(stored[0], views[0].Record);
        Assert.Equal(stored[1], views[1].Record);
        Assert.Equal("""{"withheld":"confidential"}""", views[2].Record.Details);
    }

    [Fact]
    public async Task An_admin_sees_confidential_records_in_full_and_restricted_ones_redacted()
    {
        await using var trail = _folder.Open();
        var stored = await ReadCorpus.AppendAsync(trail);

        var views = await (await As(trail, AuditReaderRole.Admin).ReadAsync(new AuditQuery { ConversationId = "conv-7" })).ToListAsync();

        Assert.Equal([false, false, false, true], views.Select(v => v.IsRedacted));
        Assert.Equal(stored[2], views[2].Record);
        Assert.DoesNotContain("J45.909", views[3].Record.Details);
    }

    [Fact]
    public async Task A_read_of_restricted_records_is_on_record_with_reader_role_filter_and_counts()
    {
        await using var trail = _folder.Open();
        await ReadCorpus.AppendAsync(trail);
        var query = new AuditQuery { ConversationId = "conv-7", ToolName = "lookup_patient" };

        var read = await As(trail, AuditReaderRole.Operator, "sre.alice").ReadAsync(query);

        Assert.Equal(4, read.Returned);
        Assert.Equal(2, read.Withheld);
        var access = Assert.Single(await ReadCorpus.AllAsync(trail, new AuditQuery { Action = AuditAction.AuditLogAccessed }));
        Assert.Equal(read.AccessRecord, access);
        Assert.Equal(4, access.Sequence);
        Assert.Equal("sre.alice", access.ActorId);
        Assert.Equal(ActorType.User, access.ActorType);
        Assert.Equal(DataClass.Restricted, access.Classification);
        Assert.Equal(ComplianceDomain.Gdpr | ComplianceDomain.Hipaa, access.Domains);
        Assert.Equal(
            """{"filter":{"conversationId":"conv-7","toolName":"lookup_patient"},"firstSequence":0,"lastSequence":3,"reader":"sre.alice","returned":4,"role":"operator","withheld":2}""",
            access.Details);
    }

    [Fact]
    public async Task A_read_that_matches_only_public_and_internal_records_appends_nothing()
    {
        await using var trail = _folder.Open();
        await ReadCorpus.AppendAsync(trail);

        var read = await As(trail, AuditReaderRole.Operator).ReadAsync(new AuditQuery { Limit = 2 });
        var views = await read.ToListAsync();

        Assert.Equal(2, views.Count);
        Assert.Null(read.AccessRecord);
        Assert.Equal(4, (await ReadCorpus.AllAsync(trail)).Count);
    }

    [Fact]
    public async Task A_read_that_matches_nothing_appends_nothing()
    {
        await using var trail = _folder.Open();
        await ReadCorpus.AppendAsync(trail);

        var read = await As(trail, AuditReaderRole.Auditor).ReadAsync(new AuditQuery { UserId = "nobody" });

        Assert.Empty(await read.ToListAsync());
        Assert.Equal(0, read.Returned);
        Assert.Null(read.AccessRecord);
        Assert.Equal(4, (await ReadCorpus.AllAsync(trail)).Count);
    }

    [Fact]
    public async Task An_auditor_read_of_confidential_records_is_recorded_with_nothing_withheld()
    {
        await using var trail = _folder.Open();
        await ReadCorpus.AppendAsync(trail);

        var read = await As(trail, AuditReaderRole.Auditor, "auditor.bob").ReadAsync(new AuditQuery { SubjectId = "hmac:1:sub2" });

        Assert.Single(await read.ToListAsync());
        var access = read.AccessRecord!;
        Assert.Equal(DataClass.Confidential, access.Classification);
        Assert.Equal(ComplianceDomain.Gdpr, access.Domains);
        Assert.Equal(1, DetailsOf(access).GetProperty("returned").GetInt64());
        Assert.Equal(0, DetailsOf(access).GetProperty("withheld").GetInt64());
        Assert.Equal("hmac:1:sub2", DetailsOf(access).GetProperty("filter").GetProperty("subjectId").GetString());
    }

    [Fact]
    public async Task An_admins_access_record_names_an_admin_actor()
    {
        await using var trail = _folder.Open();
        await ReadCorpus.AppendAsync(trail);

        var read = await As(trail, AuditReaderRole.Admin, "root.carol").ReadAsync(new AuditQuery());

        Assert.Equal(ActorType.Admin, read.AccessRecord!.ActorType);
        Assert.Equal("admin", DetailsOf(read.AccessRecord).GetProperty("role").GetString());
    }

    [Fact]
    public async Task Reading_the_access_records_is_itself_recorded()
    {
        await using var trail = _folder.Open();
        await ReadCorpus.AppendAsync(trail);
        var first = await As(trail, AuditReaderRole.Operator).ReadAsync(new AuditQuery());

        var second = await As(trail, AuditReaderRole.Auditor, "auditor.bob").ReadAsync(new AuditQuery { Action = AuditAction.AuditLogAccessed });

        Assert.Equal(first.AccessRecord, Assert.Single(await second.ToListAsync()).Record);
        Assert.Equal(5, second.AccessRecord!.Sequence);
    }

    [Fact]
    public async Task The_access_record_is_durable_before_the_read_returns()
    {
        GatedJournalFile? journal = null;
        await using var trail = AuditTrail.OpenLiteDb(_folder.DbPath, _folder.Options(),
            (path, readOnly) => journal = new GatedJournalFile(FileJournalFile.Open(path, readOnly)));
        await ReadCorpus.AppendAsync(trail);
        journal!.Gated = true;
        var fsyncsBefore = journal.Fsyncs;

        var pending = As(trail, AuditReaderRole.Operator).ReadAsync(new AuditQuery());
        await journal.WaitUntilFsyncEnteredAsync();

        Assert.False(pending.IsCompleted);
        journal.Release();
        var read = await pending;
        Assert.Equal(4, read.AccessRecord!.Sequence);
        Assert.Equal(fsyncsBefore + 1, journal.Fsyncs);
    }

    [Fact]
    public async Task A_restricted_read_whose_access_record_cannot_be_written_fails_and_returns_nothing()
    {
        await using var inner = _folder.Open();
        await ReadCorpus.AppendAsync(inner);
        var trail = new AppendFailingTrail(inner, inner.Options);

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => As(trail, AuditReaderRole.Auditor, "auditor.bob").ReadAsync(new AuditQuery()));

        Assert.Contains("audit_log_accessed", error.Message);
        Assert.Contains("auditor.bob", error.Message);
        Assert.Contains("no record is returned", error.Message);
        Assert.IsType<IOException>(error.InnerException);
    }

    [Fact]
    public async Task A_fail_closed_trail_fails_a_confidential_read_whose_access_record_cannot_be_written()
    {
        await using var inner = _folder.Open();
        await ReadCorpus.AppendAsync(inner);
        var trail = new AppendFailingTrail(inner, new AuditTrailOptions { FailurePolicy = AuditFailurePolicy.FailClosed });

        await Assert.ThrowsAsync<AuditTrailException>(() => As(trail, AuditReaderRole.Auditor).ReadAsync(new AuditQuery { SubjectId = "hmac:1:sub2" }));
    }

    [Fact]
    public async Task A_fail_open_confidential_read_whose_access_record_cannot_be_written_is_reported_and_goes_on()
    {
        await using var inner = _folder.Open();
        await ReadCorpus.AppendAsync(inner);
        var sink = new CollectingAlertSink();
        var trail = new AppendFailingTrail(inner, new AuditTrailOptions { FailurePolicy = AuditFailurePolicy.FailOpen, AlertSink = sink });

        var read = await As(trail, AuditReaderRole.Auditor).ReadAsync(new AuditQuery { SubjectId = "hmac:1:sub2" });

        Assert.Single(await read.ToListAsync());
        Assert.Null(read.AccessRecord);
        var failure = Assert.Single(sink.Failures);
        Assert.Equal(AuditAction.AuditLogAccessed, failure.Entry.Action);
        Assert.IsType<IOException>(failure.Exception);
    }

    [Fact]
    public async Task Records_appended_after_the_read_was_counted_are_not_handed_over()
    {
        await using var trail = _folder.Open();
        await ReadCorpus.AppendAsync(trail);
        var read = await As(trail, AuditReaderRole.Auditor).ReadAsync(new AuditQuery { ConversationId = "conv-7" });

        await ReadCorpus.AppendAsync(trail);

        Assert.Equal([0L, 1L, 2L, 3L], (await read.ToListAsync()).Select(v => v.Record.Sequence));
    }

    [Fact]
    public async Task An_audited_read_hands_its_records_over_once()
    {
        await using var trail = _folder.Open();
        await ReadCorpus.AppendAsync(trail);
        var read = await As(trail, AuditReaderRole.Auditor).ReadAsync(new AuditQuery());
        await read.ToListAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => read.ToListAsync());

        Assert.Contains("once", error.Message);
    }

    [Fact]
    public async Task A_limit_bounds_what_is_counted_and_handed_over()
    {
        await using var trail = _folder.Open();
        await ReadCorpus.AppendAsync(trail);

        var read = await As(trail, AuditReaderRole.Operator).ReadAsync(new AuditQuery { Limit = 3 });

        Assert.Equal(3, (await read.ToListAsync()).Count);
        Assert.Equal(3, DetailsOf(read.AccessRecord!).GetProperty("returned").GetInt64());
        Assert.Equal(DataClass.Confidential, read.AccessRecord!.Classification);
        Assert.Equal(3, DetailsOf(read.AccessRecord!).GetProperty("filter").GetProperty("limit").GetInt32());
    }

    [Fact]
    public void A_reader_needs_an_identity()
    {
        Assert.Throws<ArgumentException>(() => new AuditReader(" ", AuditReaderRole.Auditor));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuditReader("x", (AuditReaderRole)9));
    }
}
