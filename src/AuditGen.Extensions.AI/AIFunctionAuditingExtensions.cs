using Microsoft.Extensions.AI;

namespace AuditGen.Extensions.AI;

/// <summary>Auditing for <see cref="AIFunction"/>s.</summary>
public static class AIFunctionAuditingExtensions
{
    /// <summary>
    /// Audits every invocation of <paramref name="function"/> on <paramref name="trail"/> (see <see cref="AuditingFunction"/>).
    /// <paramref name="configure"/> declares what the function's code does not: classification, redaction and roles of
    /// its arguments, resource type, domains, failure policy.
    /// </summary>
    /// <example><code>
    /// var audited = mcpTool.WithAuditing(trail, tool => tool.ResourceType("Patient").Domains(ComplianceDomain.Hipaa)
    ///     .Classify("mrn", DataClass.Restricted, RedactionStrategy.Hmac).SubjectId("mrn"));
    /// </code></example>
    public static AuditingFunction WithAuditing(this AIFunction function, IAuditTrail trail, Action<ToolMapping>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(trail);
        ToolMapping? mapping = null;
        if (configure is not null)
        {
            mapping = new ToolMap().Tool(function.Name);
            configure(mapping);
        }

        return new AuditingFunction(function, trail, mapping);
    }

    /// <summary>Carries the model's tool-call id into <see cref="AuditContext"/> for functions whose target is already audited (see <see cref="ToolCallContextFunction"/>).</summary>
    public static AIFunction WithToolCallContext(this AIFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new ToolCallContextFunction(function);
    }
}
