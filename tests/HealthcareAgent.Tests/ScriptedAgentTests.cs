using AuditGen;
using HealthcareAgent.Agent;
using Microsoft.Extensions.AI;

namespace HealthcareAgent.Tests;

/// <summary>
/// The scripted agent on its own (plain tools, in-memory trail): proves the conversations drive real function calls
/// through Microsoft.Extensions.AI and answer from the results, independently of the audit runtime.
/// </summary>
public sealed class ScriptedAgentTests
{
    private static IList<AITool> PlainTools(PatientTools tools)
    {
        AIFunction Function(Delegate method, string methodName) => AIFunctionFactory.Create(method,
            new AIFunctionFactoryOptions { Name = AuditedPatientTools.Tools.Single(t => t.MethodName == methodName).Name });
        return
        [
            Function(tools.LookupPatientAsync, nameof(PatientTools.LookupPatientAsync)),
            Function(tools.GetLabResultsAsync, nameof(PatientTools.GetLabResultsAsync)),
            Function(tools.ScheduleAppointmentAsync, nameof(PatientTools.ScheduleAppointmentAsync)),
            Function(tools.RefillPrescriptionAsync, nameof(PatientTools.RefillPrescriptionAsync)),
            Function(tools.SendMessageAsync, nameof(PatientTools.SendMessageAsync)),
        ];
    }

    private static async Task<(string Transcript, RecordingTrail Trail)> PlayAsync(ConversationScript script)
    {
        var trail = new RecordingTrail();
        using var transcript = new StringWriter();
        await ConversationRunner.RunAsync(script, $"{script.Name}-test", PlainTools(new PatientTools(ClinicRecords.CreateDemo())),
            trail, transcript, CancellationToken.None);
        return (transcript.ToString(), trail);
    }

    [Fact]
    public async Task The_nurse_triage_answer_is_built_from_the_chart_and_lab_results()
    {
        var (transcript, _) = await PlayAsync(ClinicalScripts.All.Single(s => s.Name == "triage"));

        Assert.Contains("tool call: lookup_patient (call_1)", transcript);
        Assert.Contains("tool call: get_lab_results (call_2)", transcript);
        Assert.Contains("allergies: penicillin", transcript);
        Assert.Contains("BNP 180 pg/mL (high", transcript);
        Assert.Contains("Booked Cardiology at 2025-03-14 09:30 (reference APT-0001)", transcript);
    }

    [Fact]
    public async Task The_unknown_patient_lookup_fails_and_the_agent_says_so()
    {
        var (transcript, _) = await PlayAsync(ClinicalScripts.All.Single(s => s.Name == "labs"));

        Assert.Contains("tool failed: call_3: KeyNotFoundException", transcript);
        Assert.Contains("I could not find a patient with that record number", transcript);
        Assert.Contains("Refilled atorvastatin 20 mg x90 (RX-0001, sent to pharmacy)", transcript);
    }

    [Fact]
    public async Task The_portal_requests_two_tool_calls_in_one_response_and_reports_both()
    {
        var (transcript, _) = await PlayAsync(ClinicalScripts.All.Single(s => s.Name == "portal"));

        Assert.Contains("tool call: refill_prescription (call_1)", transcript);
        Assert.Contains("tool call: send_message (call_2)", transcript);
        Assert.Contains("delivered to Dr. Meredith Grey", transcript);
    }

    [Fact]
    public async Task A_conversation_is_recorded_as_start_user_messages_responses_and_end_in_its_audit_context()
    {
        var (_, trail) = await PlayAsync(ClinicalScripts.All.Single(s => s.Name == "labs"));

        Assert.Equal(
            [AuditAction.ConversationStarted, AuditAction.UserMessageReceived, AuditAction.AgentResponseGenerated,
             AuditAction.UserMessageReceived, AuditAction.AgentResponseGenerated, AuditAction.ConversationEnded],
            trail.Entries.Select(e => e.Action));
        Assert.All(trail.Entries, e =>
        {
            Assert.Equal("labs-test", e.ConversationId);
            Assert.Equal("dr.grey", e.UserId);
            Assert.Equal("clinical-assistant", e.AgentName);
            Assert.DoesNotContain(DemoPatients.DeborahMrn, e.Details ?? "");
        });
    }

    [Fact]
    public void Every_tool_the_model_can_call_is_in_the_audited_manifest_with_hipaa_and_a_classified_subject()
    {
        var scriptedTools = ClinicalScripts.All.SelectMany(s => s.Turns).SelectMany(t => t.Rounds).SelectMany(r => r)
            .Select(c => c.ToolName).Distinct();

        Assert.All(scriptedTools, name =>
        {
            var tool = Assert.Single(AuditedPatientTools.Tools, t => t.Name == name);
            Assert.Equal(ComplianceDomain.Hipaa, tool.Domains);
            var subject = Assert.Single(tool.Parameters, p => p.Role == ToolParameterRole.SubjectId);
            Assert.Equal(DataClass.Restricted, subject.Classification);
            Assert.Equal(RedactionStrategy.Hmac, subject.Redaction);
        });
    }
}
