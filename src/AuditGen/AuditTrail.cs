namespace AuditGen;

/// <summary>Opens audit trails.</summary>
public static partial class AuditTrail
{
}
