using System.Text;
using AuditGen;

namespace HealthcareAgent.Tests;

/// <summary>The sample's main job against the real trail: every tool call audited, in order, with nothing restricted in clear.</summary>
public sealed class SampleEndToEndTests(SampleRun run) : IClassFixture<SampleRun>
{
    // Per conversation, per user turn: the tools the model calls and how each call ends.
    private static readonly (string Tool, AuditAction Outcome)[][] Triage =
    [
        [("lookup_patient", AuditAction.ToolCompleted), ("get_lab_results", AuditAction.ToolCompleted)],
        [("schedule_appointment", AuditAction.ToolCompleted)],
    ];

    private static readonly (string Tool, AuditAction Outcome)[][] Labs =
    [
        [("get_lab_results", AuditAction.ToolCompleted), ("refill_prescription", AuditAction.ToolCompleted)],
        [("lookup_patient", AuditAction.ToolFailed)],
    ];

    private static readonly (string Tool, AuditAction Outcome)[][] Portal =
    [
        [("refill_prescription", AuditAction.ToolCompleted), ("send_message", AuditAction.ToolCompleted)],
    ];

    private IReadOnlyList<AuditRecord> Conversation(string name) =>
        run.Records.Where(r => r.ConversationId?.StartsWith(name + "-", StringComparison.Ordinal) == true).ToList();

    [Fact]
    public void The_sample_exits_0_and_reports_a_valid_trail()
    {
        Assert.Equal(HealthcareAgentApp.Success, run.ExitCode);
        Assert.Contains("Verification: valid", run.Output);
        Assert.True(run.Verification.IsValid, run.Verification.Reason);
        Assert.Equal(run.Records.Count, run.Verification.RecordsChecked);
    }

    [Theory]
    [InlineData("triage", "nurse.joy", "triage-assistant")]
    [InlineData("labs", "dr.grey", "clinical-assistant")]
    [InlineData("portal", "portal-user-7731", "patient-portal-assistant")]
    public void Each_conversation_is_recorded_in_order_as_start_then_per_turn_user_message_tool_pairs_and_response_then_end(string name, string user, string agent)
    {
        var turns = name switch { "triage" => Triage, "labs" => Labs, _ => Portal };
        var records = Conversation(name);

        var expected = new List<(AuditAction, string?)> { (AuditAction.ConversationStarted, null) };
        foreach (var turn in turns)
        {
            expected.Add((AuditAction.UserMessageReceived, null));
            foreach (var (tool, outcome) in turn)
            {
                expected.Add((AuditAction.ToolInvoked, tool));
                expected.Add((outcome, tool));
            }
            expected.Add((AuditAction.AgentResponseGenerated, null));
        }
        expected.Add((AuditAction.ConversationEnded, null));
        Assert.Equal(expected, records.Select(r => (r.Action, r.ToolName)));
        Assert.Equal(records.Select(r => r.Sequence).Order(), records.Select(r => r.Sequence));
        Assert.All(records, r =>
        {
            Assert.Equal(user, r.UserId);
            Assert.Equal(agent, r.AgentName);
        });
    }

    [Fact]
    public void Every_tool_record_names_the_models_tool_call_and_each_response_lists_the_calls_of_its_turn()
    {
        foreach (var conversation in run.Records.GroupBy(r => r.ConversationId))
        {
            var pending = new List<string>();
            foreach (var record in conversation)
            {
                if (record.ToolName is not null)
                {
                    pending.Add(Details(record).GetProperty("toolCallId").GetString()!);
                }
                else if (record.Action == AuditAction.AgentResponseGenerated)
                {
                    var listed = Details(record).TryGetProperty("toolCalls", out var calls)
                        ? calls.EnumerateArray().Select(c => c.GetProperty("toolCallId").GetString()!).ToList()
                        : [];
                    Assert.Equal(listed, pending.Distinct());
                    Assert.All(pending.GroupBy(id => id), call => Assert.Equal(2, call.Count()));
                    pending.Clear();
                }
            }

            Assert.Empty(pending);
        }
    }

    [Fact]
    public void Every_response_records_the_model_its_tokens_and_the_cost_from_the_price_table()
    {
        var responses = run.Records.Where(r => r.Action == AuditAction.AgentResponseGenerated).ToList();

        Assert.Equal(5, responses.Count);
        Assert.All(responses, r =>
        {
            Assert.Equal(HealthcareAgent.Agent.ScriptedChatClient.ModelId, r.Model);
            Assert.True(r.TokensIn > 0 && r.TokensOut > 0);
            Assert.Equal((r.TokensIn!.Value * 3.00m + r.TokensOut!.Value * 15.00m) / 1_000_000m, r.Cost);
            Assert.Equal("stop", Details(r).GetProperty("finishReason").GetString());
        });
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"cost {responses.Sum(r => r.Cost)} USD"), run.Output);
    }

    [Fact]
    public void User_messages_and_responses_are_kept_only_as_length_and_pseudonym()
    {
        var texts = run.Records.Where(r => r.Action is AuditAction.UserMessageReceived or AuditAction.AgentResponseGenerated).ToList();

        Assert.Equal(10, texts.Count);
        Assert.All(texts, r =>
        {
            var details = Details(r);
            Assert.True(details.GetProperty("length").GetInt32() > 0);
            Assert.StartsWith("hmac:", details.GetProperty("hmac").GetString());
            Assert.False(details.TryGetProperty("text", out _));
            Assert.Equal(DataClass.Restricted, r.Classification);
        });
        Assert.All(texts.Where(r => r.Action == AuditAction.UserMessageReceived), r => Assert.Equal(ActorType.User, r.ActorType));
    }

    private static System.Text.Json.JsonElement Details(AuditRecord record) =>
        System.Text.Json.JsonDocument.Parse(record.Details!).RootElement;

    [Fact]
    public void Exactly_one_tool_call_failed_the_unknown_patient_lookup_with_its_error_type()
    {
        var failed = Assert.Single(run.Records, r => r.Action == AuditAction.ToolFailed);

        Assert.Equal("lookup_patient", failed.ToolName);
        Assert.Equal(AuditOutcome.Failure, failed.Outcome);
        Assert.Equal(typeof(KeyNotFoundException).FullName, failed.Error?.Type);
        Assert.StartsWith("labs-", failed.ConversationId);
    }

    [Fact]
    public void Tool_records_carry_the_declared_classification_domain_and_a_pseudonymous_subject()
    {
        var toolRecords = run.Records.Where(r => r.ToolName is not null).ToList();

        Assert.NotEmpty(toolRecords);
        Assert.All(toolRecords, r =>
        {
            Assert.Equal(DataClass.Restricted, r.Classification);
            Assert.Equal(ComplianceDomain.Hipaa, r.Domains);
            Assert.False(string.IsNullOrEmpty(r.SubjectId));
            Assert.DoesNotContain("MRN-", r.SubjectId);
        });
    }

    [Fact]
    public void The_same_patient_has_the_same_subject_pseudonym_across_conversations()
    {
        var triageSubject = Conversation("triage").First(r => r.Action == AuditAction.ToolInvoked).SubjectId;
        var portalSubject = Conversation("portal").First(r => r.Action == AuditAction.ToolInvoked).SubjectId;
        var labsSubject = Conversation("labs").First(r => r.Action == AuditAction.ToolInvoked).SubjectId;

        Assert.Equal(triageSubject, portalSubject);
        Assert.NotEqual(triageSubject, labsSubject);
    }

    [Fact]
    public void No_patient_name_or_record_number_appears_in_any_file_the_trail_wrote()
    {
        AssertNowhereOnDisk(DemoPatients.RestrictedValues);
    }

    [Fact]
    public void No_restricted_argument_value_appears_in_any_file_the_trail_wrote()
    {
        AssertNowhereOnDisk(["atorvastatin", "lisinopril", "Dyspnoea with raised BNP", "118/76"]);
    }

    [Fact]
    public void The_summary_counts_this_runs_records_conversations_and_tool_calls()
    {
        Assert.Contains($"Records written this run: {run.Records.Count} (trail total: {run.Records.Count})", run.Output);
        Assert.Contains("Conversations: 3", run.Output);
        Assert.Matches(@"lookup_patient\s+2  \(1 failed\)", run.Output);
        Assert.Matches(@"refill_prescription\s+2\r?\n", run.Output);
    }

    private void AssertNowhereOnDisk(IEnumerable<string> values)
    {
        var files = Directory.EnumerateFiles(run.Folder, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => Path.GetFileName(f) == "audit.db");
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var value in values)
            {
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(value)), $"'{value}' is stored in clear (UTF-8) in {Path.GetFileName(file)}");
                Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(value)), $"'{value}' is stored in clear (UTF-16) in {Path.GetFileName(file)}");
            }
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
