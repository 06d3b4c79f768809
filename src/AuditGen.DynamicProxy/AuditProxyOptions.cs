namespace AuditGen.DynamicProxy;

/// <summary>Which methods an <see cref="AuditProxy"/> audits, and how.</summary>
public sealed class AuditProxyOptions
{
    /// <summary>Audit configuration for methods that cannot carry attributes.</summary>
    public ToolMap Tools { get; } = new();

    /// <summary>
    /// Audit every method, including those neither marked <c>[AuditedTool]</c> nor in <see cref="Tools"/> (recorded
    /// unclassified, as <see cref="DataClass.Internal"/>). Default <see langword="false"/>: like the generated wrapper,
    /// only tools are audited and other members are passed through. Property accessors and events are never audited.
    /// </summary>
    public bool AuditAllMethods { get; set; }

    /// <summary>Configures the tool <paramref name="name"/> (its tool name or method name): shorthand for <c>Tools.Tool(name)</c>.</summary>
    public ToolMapping Tool(string name) => Tools.Tool(name);
}
