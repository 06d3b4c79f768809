namespace HealthcareAgent;

/// <summary>An in-memory clinic system: the back end the agent's tools call. Synthetic data only.</summary>
public sealed class ClinicRecords
{
    private readonly Dictionary<string, PatientSummary> _patients = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Mrn, string Panel), IReadOnlyList<LabResult>> _labs = [];
    private int _appointments;
    private int _refills;
    private int _messages;

    /// <summary>A clinic with the synthetic patients the sample's conversations use.</summary>
    public static ClinicRecords CreateDemo()
    {
        var clinic = new ClinicRecords();
        foreach (var patient in DemoPatients.All)
            clinic._patients.Add(patient.Mrn, patient);
        foreach (var ((mrn, panel), results) in DemoPatients.Labs)
            clinic._labs.Add((mrn, panel), results);
        return clinic;
    }

    /// <summary>The patient with <paramref name="mrn"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such patient. The message never repeats the identifier.</exception>
    public PatientSummary FindPatient(string mrn) =>
        _patients.TryGetValue(mrn, out var patient)
            ? patient
            : throw new KeyNotFoundException("No patient matches the given medical record number.");

    /// <summary>The results of one panel for a patient (empty when none were taken).</summary>
    public IReadOnlyList<LabResult> LabResults(string mrn, string panel)
    {
        FindPatient(mrn);
        return _labs.TryGetValue((mrn, panel.ToLowerInvariant()), out var results) ? results : [];
    }

    /// <summary>Books the first morning slot on the preferred date.</summary>
    public AppointmentConfirmation Book(string mrn, string department, DateOnly preferredDate)
    {
        FindPatient(mrn);
        var id = $"APT-{++_appointments:D4}";
        return new AppointmentConfirmation(id, department, $"{preferredDate:yyyy-MM-dd} 09:30");
    }

    /// <summary>Sends a refill to the pharmacy.</summary>
    public RefillConfirmation Refill(string mrn, string medication, int quantity)
    {
        FindPatient(mrn);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        return new RefillConfirmation($"RX-{++_refills:D4}", medication, quantity, "sent to pharmacy");
    }

    /// <summary>Delivers a secure message to the patient's care team.</summary>
    public MessageReceipt Message(string mrn, string recipientName, string body)
    {
        FindPatient(mrn);
        ArgumentException.ThrowIfNullOrWhiteSpace(body);
        return new MessageReceipt($"MSG-{++_messages:D4}", recipientName);
    }
}
