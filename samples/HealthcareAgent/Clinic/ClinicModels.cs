namespace HealthcareAgent;

/// <summary>A patient's chart header, as the lookup tool returns it.</summary>
/// <param name="Mrn">Medical record number.</param>
/// <param name="FullName">The patient's full name.</param>
/// <param name="DateOfBirth">Date of birth.</param>
/// <param name="Allergies">Recorded allergies.</param>
/// <param name="PrimaryPhysician">The patient's primary physician.</param>
public sealed record PatientSummary(string Mrn, string FullName, DateOnly DateOfBirth, IReadOnlyList<string> Allergies, string PrimaryPhysician);

/// <summary>One laboratory result.</summary>
/// <param name="Test">The test, e.g. <c>LDL cholesterol</c>.</param>
/// <param name="Value">The measured value.</param>
/// <param name="Unit">The unit.</param>
/// <param name="ReferenceRange">The normal range.</param>
/// <param name="Flag"><c>normal</c>, <c>high</c> or <c>low</c>.</param>
/// <param name="CollectedOn">When the sample was collected.</param>
public sealed record LabResult(string Test, decimal Value, string Unit, string ReferenceRange, string Flag, DateOnly CollectedOn);

/// <summary>A booked appointment.</summary>
/// <param name="AppointmentId">The booking reference.</param>
/// <param name="Department">The department.</param>
/// <param name="Slot">The booked slot (local time).</param>
public sealed record AppointmentConfirmation(string AppointmentId, string Department, string Slot);

/// <summary>A prescription refill request.</summary>
/// <param name="RefillId">The refill reference.</param>
/// <param name="Medication">The medication and strength.</param>
/// <param name="Quantity">The number of units.</param>
/// <param name="Status">Where the refill is.</param>
public sealed record RefillConfirmation(string RefillId, string Medication, int Quantity, string Status);

/// <summary>A delivered secure message.</summary>
/// <param name="MessageId">The message reference.</param>
/// <param name="DeliveredTo">Who received it.</param>
public sealed record MessageReceipt(string MessageId, string DeliveredTo);
