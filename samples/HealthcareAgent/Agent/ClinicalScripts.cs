using System.Globalization;

namespace HealthcareAgent.Agent;

/// <summary>The sample's conversations: a nurse triaging, a doctor reviewing labs, a patient using the portal.</summary>
internal static class ClinicalScripts
{
    public static IReadOnlyList<ConversationScript> All { get; } = [NurseTriage(), DoctorLabReview(), PatientPortal()];

    private static ConversationScript NurseTriage() => new("triage", "nurse.joy", "triage-assistant",
    [
        new ScriptedTurn(
            $"Triage for {DemoPatients.MariaMrn}: short of breath since this morning. Pull up her chart and cardiac labs.",
            [
                [Call("call_1", "lookup_patient", ("mrn", DemoPatients.MariaMrn))],
                [Call("call_2", "get_lab_results", ("mrn", DemoPatients.MariaMrn), ("panel", "cardiac"))],
            ],
            results =>
            {
                var patient = results.Get<PatientSummary>("call_1");
                var labs = results.Get<List<LabResult>>("call_2");
                var abnormal = labs.Where(l => l.Flag != "normal").Select(Describe).ToList();
                return $"{patient.FullName}, born {patient.DateOfBirth:yyyy-MM-dd}, allergies: {Join(patient.Allergies)}. " +
                       $"Abnormal cardiac results: {Join(abnormal)}. Suggest an ECG now and a cardiology review.";
            }),
        new ScriptedTurn(
            "Book her into cardiology for Friday.",
            [
                [Call("call_3", "schedule_appointment", ("mrn", DemoPatients.MariaMrn), ("department", "Cardiology"),
                    ("preferredDate", "2025-03-14"), ("reason", "Dyspnoea with raised BNP"))],
            ],
            results =>
            {
                var booking = results.Get<AppointmentConfirmation>("call_3");
                return $"Booked {booking.Department} at {booking.Slot} (reference {booking.AppointmentId}).";
            }),
    ]);

    private static ConversationScript DoctorLabReview() => new("labs", "dr.grey", "clinical-assistant",
    [
        new ScriptedTurn(
            $"Review the lipid panel for {DemoPatients.DeborahMrn} and refill her atorvastatin if LDL is at target.",
            [
                [Call("call_1", "get_lab_results", ("mrn", DemoPatients.DeborahMrn), ("panel", "lipid"))],
                [Call("call_2", "refill_prescription", ("mrn", DemoPatients.DeborahMrn), ("medication", "atorvastatin 20 mg"), ("quantity", 90))],
            ],
            results =>
            {
                var ldl = results.Get<List<LabResult>>("call_1").Single(l => l.Test == "LDL cholesterol");
                var refill = results.Get<RefillConfirmation>("call_2");
                return $"{Describe(ldl)}: at target. Refilled {refill.Medication} x{refill.Quantity} ({refill.RefillId}, {refill.Status}).";
            }),
        new ScriptedTurn(
            $"Also pull up {DemoPatients.UnknownMrn}.",
            [
                [Call("call_3", "lookup_patient", ("mrn", DemoPatients.UnknownMrn))],
            ],
            results => results.Failed("call_3")
                ? "I could not find a patient with that record number. Please check it and try again."
                : $"Found {results.Get<PatientSummary>("call_3").FullName}."),
    ]);

    private static ConversationScript PatientPortal() => new("portal", "portal-user-7731", "patient-portal-assistant",
    [
        new ScriptedTurn(
            $"Hi, this is {DemoPatients.MariaName} ({DemoPatients.MariaMrn}). Please refill my lisinopril and tell Dr. Grey my home blood pressure readings are fine.",
            [
                [
                    Call("call_1", "refill_prescription", ("mrn", DemoPatients.MariaMrn), ("medication", "lisinopril 10 mg"), ("quantity", 30)),
                    Call("call_2", "send_message", ("mrn", DemoPatients.MariaMrn), ("recipientName", "Dr. Meredith Grey"),
                        ("body", "Home blood pressure this week: 118/76 to 124/80, no symptoms.")),
                ],
            ],
            results =>
            {
                var refill = results.Get<RefillConfirmation>("call_1");
                var message = results.Get<MessageReceipt>("call_2");
                return $"Your {refill.Medication} refill ({refill.RefillId}) was {refill.Status}, and your message ({message.MessageId}) was delivered to {message.DeliveredTo}.";
            }),
    ]);

    private static ScriptedCall Call(string callId, string tool, params (string Name, object? Value)[] arguments) =>
        new(callId, tool, arguments.ToDictionary(a => a.Name, a => a.Value, StringComparer.Ordinal));

    private static string Describe(LabResult result) =>
        string.Create(CultureInfo.InvariantCulture, $"{result.Test} {result.Value} {result.Unit} ({result.Flag}, reference {result.ReferenceRange})");

    private static string Join(IReadOnlyCollection<string> values) => values.Count == 0 ? "none" : string.Join(", ", values);
}
