namespace AuditGen.TrailConformance;

// The filters the compliance queries need (issue 7): resource, subject, outcome, classification, user + time range.
public abstract partial class TrailConformanceTests
{
    // 24 records one minute apart: resources patient/p-0..3 in turn (every 6th is an invoice), subjects s-0..2 in turn,
    // every 4th a failure, classifications cycling public, internal, confidential, restricted; users alternate.
    private async Task<(IAuditTrail Trail, List<AuditRecord> All)> AppendResourceCorpusAsync()
    {
        var trail = await OpenAsync();
        var all = new List<AuditRecord>();
        for (var i = 0; i < 24; i++)
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            all.Add(await trail.AppendAsync(ConformanceEntries.ToolCall(i, conversation: $"conv-{i % 2}", user: i % 2 == 0 ? "dr.house" : "dr.cuddy") with
            {
                ResourceType = i % 6 == 5 ? "invoice" : "patient",
                ResourceId = $"p-{i % 4}",
                SubjectId = $"s-{i % 3}",
                Outcome = i % 4 == 3 ? AuditOutcome.Failure : AuditOutcome.Success,
                Classification = (DataClass)(i % 4),
            }));
        }
        return (trail, all);
    }

    [StoreFact]
    public async Task A_query_by_resource_type_and_id_returns_only_that_resource()
    {
        var (trail, all) = await AppendResourceCorpusAsync();

        var expected = all.Where(r => r.ResourceType == "patient" && r.ResourceId == "p-1").ToList();

        Assert.Equal([1L, 9L, 13L, 21L], expected.Select(r => r.Sequence));
        Assert.Equal(expected, await QueryAsync(trail, new AuditQuery { ResourceType = "patient", ResourceId = "p-1" }));
    }

    [StoreFact]
    public async Task A_query_by_resource_type_returns_every_resource_of_that_type()
    {
        var (trail, all) = await AppendResourceCorpusAsync();

        Assert.Equal(all.Where(r => r.ResourceType == "invoice"), await QueryAsync(trail, new AuditQuery { ResourceType = "invoice" }));
        Assert.Equal(4, (await QueryAsync(trail, new AuditQuery { ResourceType = "invoice" })).Count);
    }

    [StoreFact]
    public async Task A_query_by_subject_returns_only_that_subjects_records()
    {
        var (trail, all) = await AppendResourceCorpusAsync();

        Assert.Equal(all.Where(r => r.SubjectId == "s-2"), await QueryAsync(trail, new AuditQuery { SubjectId = "s-2" }));
        Assert.Empty(await QueryAsync(trail, new AuditQuery { SubjectId = "S-2" }));
    }

    [StoreFact]
    public async Task A_query_by_outcome_returns_only_failures()
    {
        var (trail, all) = await AppendResourceCorpusAsync();

        var failures = await QueryAsync(trail, new AuditQuery { Outcome = AuditOutcome.Failure });

        Assert.Equal(all.Where(r => r.Outcome == AuditOutcome.Failure), failures);
        Assert.Equal([3L, 7L, 11L, 15L, 19L, 23L], failures.Select(r => r.Sequence));
    }

    [StoreFact]
    public async Task A_minimum_classification_matches_that_class_and_every_more_sensitive_one()
    {
        var (trail, all) = await AppendResourceCorpusAsync();

        var sensitive = await QueryAsync(trail, new AuditQuery { MinimumClassification = DataClass.Confidential });

        Assert.Equal(all.Where(r => r.Classification is DataClass.Confidential or DataClass.Restricted), sensitive);
        Assert.Equal(12, sensitive.Count);
        Assert.Equal(all, await QueryAsync(trail, new AuditQuery { MinimumClassification = DataClass.Public }));
        Assert.All(await QueryAsync(trail, new AuditQuery { MinimumClassification = DataClass.Restricted }), r => Assert.Equal(DataClass.Restricted, r.Classification));
    }

    [StoreFact]
    public async Task A_query_by_user_and_time_range_returns_that_users_records_in_the_window()
    {
        var (trail, all) = await AppendResourceCorpusAsync();

        var records = await QueryAsync(trail, new AuditQuery { UserId = "dr.cuddy", From = all[4].Timestamp, To = all[13].Timestamp });

        Assert.Equal([5L, 7L, 9L, 11L], records.Select(r => r.Sequence));
    }

    [StoreFact]
    public async Task The_new_filters_combine_with_the_others()
    {
        var (trail, all) = await AppendResourceCorpusAsync();

        var query = new AuditQuery
        {
            ResourceType = "patient", SubjectId = "s-0", Outcome = AuditOutcome.Success, MinimumClassification = DataClass.Internal,
            ConversationId = "conv-0", From = all[2].Timestamp,
        };
        var expected = all.Where(query.Matches).ToList();

        Assert.Equal([6L, 18L], expected.Select(r => r.Sequence));
        Assert.Equal(expected, await QueryAsync(trail, query));
    }
}
