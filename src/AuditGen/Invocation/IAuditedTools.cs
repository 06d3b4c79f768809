namespace AuditGen;

/// <summary>
/// Implemented by every generated <c>Audited{Type}</c> wrapper, so hosting code can create one and read its tool
/// descriptors without reflection (<c>services.AddAuditedTools&lt;PatientTools, AuditedPatientTools&gt;()</c>).
/// </summary>
/// <typeparam name="TTools">The tool class the wrapper decorates.</typeparam>
/// <typeparam name="TSelf">The wrapper.</typeparam>
public interface IAuditedTools<TTools, TSelf>
    where TSelf : class, IAuditedTools<TTools, TSelf>
{
    /// <summary>Wraps <paramref name="inner"/>, recording every tool call on <paramref name="trail"/>.</summary>
    static abstract TSelf Create(TTools inner, IAuditTrail trail);

    /// <summary>The descriptors of the tools the wrapper audits.</summary>
    static abstract IReadOnlyList<ToolDescriptor> Tools { get; }
}
