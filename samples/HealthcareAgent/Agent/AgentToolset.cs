using AuditGen.Extensions.AI;
using Microsoft.Extensions.AI;

namespace HealthcareAgent.Agent;

/// <summary>
/// The tools the model may call, built from the AUDITED wrapper's methods, so every call the model makes is
/// recorded. Tool names come from the generated manifest, so the model and the trail use the same names.
/// <c>WithToolCallContext()</c> hands the model's tool-call id to the wrapper, so each tool record names the call it
/// answers (the wrapper already audits: the function must not audit a second time).
/// </summary>
internal static class AgentToolset
{
    public static IList<AITool> Create(AuditedPatientTools tools) =>
    [
        Function(tools.LookupPatientAsync, nameof(PatientTools.LookupPatientAsync)),
        Function(tools.GetLabResultsAsync, nameof(PatientTools.GetLabResultsAsync)),
        Function(tools.ScheduleAppointmentAsync, nameof(PatientTools.ScheduleAppointmentAsync)),
        Function(tools.RefillPrescriptionAsync, nameof(PatientTools.RefillPrescriptionAsync)),
        Function(tools.SendMessageAsync, nameof(PatientTools.SendMessageAsync)),
    ];

    private static AIFunction Function(Delegate method, string methodName)
    {
        var descriptor = AuditedPatientTools.Tools.Single(t => t.MethodName == methodName);
        return AIFunctionFactory.Create(method, new AIFunctionFactoryOptions { Name = descriptor.Name }).WithToolCallContext();
    }
}
