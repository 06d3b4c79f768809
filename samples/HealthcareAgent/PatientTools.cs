using System.ComponentModel;
using AuditGen;

namespace HealthcareAgent;

/// <summary>
/// The agent's clinical tools. Every <see cref="AuditedToolAttribute"/> method is wrapped by the generated
/// <c>AuditedPatientTools</c>, which records <c>tool_invoked</c> before and <c>tool_completed</c> / <c>tool_failed</c>
/// after each call, with arguments redacted by their classification. Give the agent the wrapper, never this class.
/// </summary>
/// <param name="clinic">The clinic system the tools read and write.</param>
public partial class PatientTools(ClinicRecords clinic)
{
    /// <summary>Looks up a patient's chart header.</summary>
    [AuditedTool(ResourceType = "Patient", Domains = ComplianceDomain.Hipaa, Classification = DataClass.Restricted,
        Action = AuditAction.DataAccessed, FailurePolicy = AuditFailurePolicy.FailClosed)]
    [Description("Looks up a patient's chart header (name, date of birth, allergies, primary physician) by medical record number.")]
    [return: DataClassification(DataClass.Restricted)]
    public Task<PatientSummary> LookupPatientAsync(
        [Description("The patient's medical record number, e.g. MRN-000000.")]
        [DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac), SubjectId] string mrn,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(clinic.FindPatient(mrn));
    }

    /// <summary>Reads one lab panel of a patient.</summary>
    [AuditedTool(ResourceType = "LabResult", Domains = ComplianceDomain.Hipaa, Classification = DataClass.Restricted,
        Action = AuditAction.DataAccessed, FailurePolicy = AuditFailurePolicy.FailClosed)]
    [Description("Returns the most recent results of one lab panel (e.g. 'lipid', 'cardiac') for a patient.")]
    [return: DataClassification(DataClass.Restricted)]
    public Task<IReadOnlyList<LabResult>> GetLabResultsAsync(
        [Description("The patient's medical record number.")]
        [DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac), SubjectId] string mrn,
        [Description("The lab panel: 'lipid', 'cardiac', 'metabolic'.")]
        [DataClassification(DataClass.Internal)] string panel,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(clinic.LabResults(mrn, panel));
    }

    /// <summary>Books an appointment.</summary>
    [AuditedTool(ResourceType = "Appointment", Domains = ComplianceDomain.Hipaa, Classification = DataClass.Restricted,
        Action = AuditAction.DataModified, FailurePolicy = AuditFailurePolicy.FailClosed)]
    [Description("Books the first available appointment for a patient in a department on the preferred date.")]
    [return: DataClassification(DataClass.Confidential)]
    public Task<AppointmentConfirmation> ScheduleAppointmentAsync(
        [Description("The patient's medical record number.")]
        [DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac), SubjectId] string mrn,
        [Description("The department, e.g. 'Cardiology'.")]
        [DataClassification(DataClass.Internal)] string department,
        [Description("The preferred date (yyyy-MM-dd).")]
        [DataClassification(DataClass.Confidential), Redact(RedactionStrategy.Hmac)] DateOnly preferredDate,
        [Description("The clinical reason for the visit.")]
        [DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Erase)] string reason,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return Task.FromResult(clinic.Book(mrn, department, preferredDate));
    }

    /// <summary>Requests a prescription refill.</summary>
    [AuditedTool(ResourceType = "Prescription", Domains = ComplianceDomain.Hipaa, Classification = DataClass.Restricted,
        Action = AuditAction.DataModified, FailurePolicy = AuditFailurePolicy.FailClosed)]
    [Description("Sends a refill of an existing prescription to the patient's pharmacy.")]
    [return: DataClassification(DataClass.Restricted)]
    public Task<RefillConfirmation> RefillPrescriptionAsync(
        [Description("The patient's medical record number.")]
        [DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac), SubjectId] string mrn,
        [Description("The medication and strength, e.g. 'atorvastatin 20 mg'.")]
        [DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Erase)] string medication,
        [Description("The number of tablets.")]
        [DataClassification(DataClass.Internal)] int quantity,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(clinic.Refill(mrn, medication, quantity));
    }

    /// <summary>Sends a secure message to the patient's care team.</summary>
    [AuditedTool(ResourceType = "Message", Domains = ComplianceDomain.Hipaa, Classification = DataClass.Restricted,
        Action = AuditAction.DataModified, FailurePolicy = AuditFailurePolicy.FailClosed)]
    [Description("Sends a secure message about a patient to a member of their care team.")]
    [return: DataClassification(DataClass.Confidential)]
    public Task<MessageReceipt> SendMessageAsync(
        [Description("The patient's medical record number.")]
        [DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac), SubjectId] string mrn,
        [Description("The recipient's name, e.g. 'Dr. Meredith Grey'.")]
        [DataClassification(DataClass.Confidential), Redact(RedactionStrategy.Hmac)] string recipientName,
        [Description("The message text.")]
        [DataClassification(DataClass.Restricted), Redact(RedactionStrategy.LengthOnly)] string body,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(clinic.Message(mrn, recipientName, body));
    }
}
