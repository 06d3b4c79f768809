using System.ComponentModel;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace AuditGen.EndToEnd.Tests;

/// <summary>The generated wrapper, driven against a real LiteDB trail: what a user's agent actually gets.</summary>
public sealed class GeneratedWrapperTests
{
    [Fact]
    public async Task An_async_tool_call_records_invocation_then_completion_and_the_trail_verifies()
    {
        await using var fixture = TrailFixture.Create();
        var inner = new ClinicTools();
        var tools = new AuditedClinicTools(inner, fixture.Trail);

        using (AuditContext.Begin(conversationId: "conv-1", userId: "dr.house", agentName: "triage"))
        {
            var patient = await tools.LookupPatientAsync(ClinicTools.KnownMrn);
            Assert.Equal(ClinicTools.KnownName, patient.Name);
        }

        var records = await fixture.RecordsAsync();
        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], records.Select(r => r.Action));
        Assert.All(records, r =>
        {
            Assert.Equal("lookup_patient", r.ToolName);
            Assert.Equal("Patient", r.ResourceType);
            Assert.Equal(DataClass.Restricted, r.Classification);
            Assert.Equal(ComplianceDomain.Hipaa, r.Domains);
            Assert.Equal("conv-1", r.ConversationId);
            Assert.Equal("dr.house", r.UserId);
            Assert.Equal("triage", r.AgentName);
            Assert.Equal(AuditOutcome.Success, r.Outcome);
            Assert.NotNull(r.SubjectId);
            Assert.NotEqual(ClinicTools.KnownMrn, r.SubjectId);
        });
        Assert.Equal(records[0].SubjectId, records[1].SubjectId);
        Assert.NotNull(records[1].DurationMicros);
        Assert.Equal(1, inner.Calls);
        Assert.True((await fixture.Trail.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Every_supported_shape_is_audited_and_returns_what_the_tool_returned()
    {
        await using var fixture = TrailFixture.Create();
        var inner = new ClinicTools();
        var tools = new AuditedClinicTools(inner, fixture.Trail);

        Assert.Equal(9, tools.CountBeds("icu-west", 1));
        Assert.Equal(6, tools.CountBeds("north"));
        tools.Ping("a", "b");
        Assert.Equal("note 7", await tools.ReadNoteAsync(7));
        await tools.TouchAsync("north");
        await tools.ArchiveAsync("north");
        Assert.Equal(42, tools.Echo(42));
        Assert.Equal("NORTH", tools.FindWard("north"));
        Assert.Equal("floor-3", tools.FindWard(3));
        Assert.Equal("cardiology", tools.Refer(new Referral(ClinicTools.KnownMrn, "chest pain", "cardiology")));

        var records = await fixture.RecordsAsync();
        var completed = records.Where(r => r.Action == AuditAction.ToolCompleted).Select(r => r.ToolName!).ToArray();
        Assert.Equal(
            ["count_beds", "count_beds", "ping", "read_note", "touch", "archive", "echo", "find_ward_by_name", "find_ward_by_floor", "refer"],
            completed);
        Assert.Equal(records.Count / 2, records.Count(r => r.Action == AuditAction.ToolInvoked));
        Assert.Equal(8, inner.Calls);
        Assert.True((await fixture.Trail.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Arguments_are_recorded_by_name_with_defaults_and_params_and_the_resource_id_is_set()
    {
        await using var fixture = TrailFixture.Create();
        var tools = new AuditedClinicTools(new ClinicTools(), fixture.Trail);

        tools.CountBeds("north");
        tools.Ping("x", "y");
        await tools.ReadNoteAsync(7);

        var invoked = (await fixture.RecordsAsync()).Where(r => r.Action == AuditAction.ToolInvoked).ToArray();
        using var countBeds = JsonDocument.Parse(invoked[0].Details!);
        Assert.Equal("north", countBeds.RootElement.GetProperty("arguments").GetProperty("ward").GetString());
        Assert.Equal(1, countBeds.RootElement.GetProperty("arguments").GetProperty("floor").GetInt32());
        using var ping = JsonDocument.Parse(invoked[1].Details!);
        Assert.Equal(2, ping.RootElement.GetProperty("arguments").GetProperty("tags").GetArrayLength());
        Assert.Equal("7", invoked[2].ResourceId);
    }

    [Fact]
    public async Task A_tool_that_throws_after_an_await_is_recorded_as_failed_and_the_caller_gets_the_same_exception()
    {
        await using var fixture = TrailFixture.Create();
        var tools = new AuditedClinicTools(new ClinicTools(), fixture.Trail);

        var thrown = await Assert.ThrowsAsync<KeyNotFoundException>(() => tools.LookupPatientAsync("MRN-0000"));

        var records = await fixture.RecordsAsync();
        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolFailed], records.Select(r => r.Action));
        Assert.Equal(AuditOutcome.Failure, records[1].Outcome);
        Assert.Equal(typeof(KeyNotFoundException).FullName, records[1].Error!.Type);
        Assert.DoesNotContain("MRN-0000", records[1].Error!.Message, StringComparison.Ordinal);
        Assert.Contains("0000", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_that_throws_synchronously_is_recorded_as_failed_without_its_restricted_argument()
    {
        await using var fixture = TrailFixture.Create();
        var tools = new AuditedClinicTools(new ClinicTools(), fixture.Trail);

        Assert.Throws<InvalidOperationException>(() => tools.FailSynchronously(ClinicTools.KnownMrn));

        var failed = (await fixture.RecordsAsync()).Single(r => r.Action == AuditAction.ToolFailed);
        Assert.Equal(typeof(InvalidOperationException).FullName, failed.Error!.Type);
        Assert.DoesNotContain(ClinicTools.KnownMrn, failed.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restricted_values_never_reach_any_file_of_the_trail()
    {
        var fixture = TrailFixture.Create();
        try
        {
            var tools = new AuditedClinicTools(new ClinicTools(), fixture.Trail);
            await tools.LookupPatientAsync(ClinicTools.KnownMrn);
            await Assert.ThrowsAsync<KeyNotFoundException>(() => tools.LookupPatientAsync("MRN-5555"));
            Assert.Throws<InvalidOperationException>(() => tools.FailSynchronously("MRN-6666"));
            tools.Refer(new Referral("MRN-4444", "suspected arrhythmia", "cardiology"));

            var bytes = await fixture.CloseAndReadAllFilesAsync();

            foreach (var secret in new[] { ClinicTools.KnownMrn, ClinicTools.KnownName, "MRN-5555", "MRN-6666", "MRN-4444", "suspected arrhythmia" })
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"'{secret}' was found in the trail's files (UTF-8).");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(secret)) < 0, $"'{secret}' was found in the trail's files (UTF-16).");
            }
        }
        finally
        {
            Directory.Delete(fixture.Directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_restricted_tool_does_not_run_when_its_invocation_cannot_be_recorded()
    {
        var fixture = TrailFixture.Create();
        var inner = new ClinicTools();
        var tools = new AuditedClinicTools(inner, fixture.Trail);
        await fixture.CloseAndReadAllFilesAsync();

        var error = await Assert.ThrowsAnyAsync<AuditTrailException>(() => tools.LookupPatientAsync(ClinicTools.KnownMrn));

        Assert.Equal(0, inner.Calls);
        Assert.Contains("lookup_patient", error.Message, StringComparison.Ordinal);
        Directory.Delete(fixture.Directory, recursive: true);
    }

    [Fact]
    public async Task An_internal_fail_open_tool_still_runs_when_the_trail_is_closed()
    {
        var fixture = TrailFixture.Create(AuditFailurePolicy.FailOpen);
        var inner = new ClinicTools();
        var tools = new AuditedClinicTools(inner, fixture.Trail);
        await fixture.CloseAndReadAllFilesAsync();

        Assert.Equal(6, tools.CountBeds("north"));
        Assert.Equal(1, inner.Calls);
        Directory.Delete(fixture.Directory, recursive: true);
    }

    [Fact]
    public async Task An_argument_that_cannot_be_serialized_is_recorded_as_its_type_and_the_tool_still_runs()
    {
        await using var fixture = TrailFixture.Create();
        var tools = new AuditedClinicTools(new ClinicTools(), fixture.Trail);
        var cyclic = new Node();
        cyclic.Next = cyclic;

        Assert.Equal(nameof(Node), tools.Describe(cyclic));

        var invoked = (await fixture.RecordsAsync()).First(r => r.Action == AuditAction.ToolInvoked);
        Assert.Contains(typeof(Node).FullName!, invoked.Details, StringComparison.Ordinal);
        Assert.True((await fixture.Trail.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Calls_through_an_implemented_interface_are_audited_and_other_members_delegate()
    {
        await using var fixture = TrailFixture.Create();
        IClinic clinic = new AuditedClinicTools(new ClinicTools(), fixture.Trail);

        await clinic.LookupPatientAsync(ClinicTools.KnownMrn);

        Assert.Equal("hello", clinic.Greeting);
        Assert.Equal(2, (await fixture.RecordsAsync()).Count);
    }

    [Fact]
    public void The_wrapper_carries_the_same_tool_descriptions_agent_frameworks_read()
    {
        var method = typeof(AuditedClinicTools).GetMethod(nameof(ClinicTools.LookupPatientAsync))!;

        Assert.Equal("Looks up a patient by medical record number.", method.GetCustomAttribute<DescriptionAttribute>()?.Description);
        Assert.Equal("The MRN.", method.GetParameters()[0].GetCustomAttribute<DescriptionAttribute>()?.Description);
    }

    [Fact]
    public void The_generated_manifest_lists_every_tool_with_its_classification_and_domains()
    {
        var tools = AuditGen.Generated.AuditedToolManifest.Tools;

        var lookup = Assert.Single(tools, t => t.Name == "lookup_patient");
        Assert.Equal(DataClass.Restricted, lookup.Classification);
        Assert.Equal(ComplianceDomain.Hipaa, lookup.Domains);
        Assert.Equal("mrn", Assert.Single(lookup.Parameters).Name);
        Assert.Equal(RedactionStrategy.Hmac, lookup.Parameters[0].Redaction);
        Assert.Contains(tools, t => t.Name == "find_ward_by_floor");
        Assert.Equal(tools.Count, tools.Select(t => t.Name).Distinct().Count());
    }

    public sealed class Node
    {
        public Node? Next { get; set; }
    }
}
