using System.ComponentModel;
using AuditGen;

namespace UnauditedTools;

/// <summary>Tools an agent may call. Both are wrong on purpose; see the project file.</summary>
public partial class BillingTools
{
    /// <summary>Audited, but the card number would be recorded in clear: AUDIT002.</summary>
    [AuditedTool(ResourceType = "Payment", Domains = ComplianceDomain.Pci)]
    [Description("Charges a card.")]
    public string Charge(string cardNumber, decimal amount) => "charged " + amount;

    /// <summary>An agent tool that nobody audits: AUDIT001.</summary>
    [Description("Finds the e-mail address on file for a patient.")]
    public string FindContact([DataClassification(DataClass.Internal)] string patientId) => patientId + "@example.org";
}
