using System.Reflection;
using Castle.DynamicProxy;

namespace AuditGen.DynamicProxy;

/// <summary>
/// Creates Castle DynamicProxy proxies whose tool calls are audited exactly like the generated wrapper's: the same
/// <see cref="ToolInvocation"/> path, the same records, configured by AuditGen's attributes where the code has them and
/// by <see cref="AuditProxyOptions.Tools"/> where it cannot.
/// </summary>
/// <example><code>
/// var options = new AuditProxyOptions();
/// options.Tool("LookupPatientAsync").Named("lookup_patient").ResourceType("Patient")
///        .Classify("mrn", DataClass.Restricted, RedactionStrategy.Hmac).SubjectId("mrn");
/// IPatientApi audited = AuditProxy.Create&lt;IPatientApi&gt;(vendorClient, trail, options);
/// </code></example>
public static class AuditProxy
{
    private static readonly ProxyGenerator Generator = new();

    /// <summary>An implementation of <typeparamref name="TInterface"/> that audits its tool methods, then calls <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="TInterface"/> is not an interface, or the map names a tool, parameter or property that does not exist.</exception>
    /// <exception cref="NotSupportedException">An audited method has a shape that cannot be audited (by-reference parameters, ref structs).</exception>
    public static TInterface Create<TInterface>(TInterface target, IAuditTrail trail, AuditProxyOptions? options = null)
        where TInterface : class
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(trail);
        if (!typeof(TInterface).IsInterface)
        {
            throw new ArgumentException(
                $"{typeof(TInterface).FullName} is not an interface; use AuditProxy.CreateClassProxy for a class with virtual tool methods.",
                nameof(TInterface));
        }

        options ??= new AuditProxyOptions();
        var tools = ToolTable.ForInterface(typeof(TInterface), target.GetType(), options);
        return Generator.CreateInterfaceProxyWithTarget(target, new AuditInterceptor(trail, tools));
    }

    /// <summary>
    /// A subclass of <typeparamref name="TClass"/> whose virtual tool methods are audited around the base implementation,
    /// constructed with <paramref name="constructorArguments"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The class is sealed, an audited method is not virtual, or the map names something that does not exist.</exception>
    /// <exception cref="NotSupportedException">An audited method has a shape that cannot be audited.</exception>
    public static TClass CreateClassProxy<TClass>(IAuditTrail trail, AuditProxyOptions? options = null, params object?[] constructorArguments)
        where TClass : class
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(constructorArguments);
        if (typeof(TClass).IsSealed || typeof(TClass).IsInterface)
            throw new ArgumentException($"{typeof(TClass).FullName} cannot be subclassed (it is sealed or an interface).", nameof(TClass));

        options ??= new AuditProxyOptions();
        var tools = ToolTable.ForClass(typeof(TClass), options);
        return (TClass)Generator.CreateClassProxy(typeof(TClass), constructorArguments, new AuditInterceptor(trail, tools));
    }

    /// <summary>The tool descriptors an <see cref="AuditProxy"/> of <paramref name="type"/> would use (for manifests and tests).</summary>
    public static IReadOnlyList<ToolDescriptor> DescribeTools(Type type, AuditProxyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        options ??= new AuditProxyOptions();
        var table = type.IsInterface ? ToolTable.ForInterface(type, type, options) : ToolTable.ForClass(type, options);
        return table.Descriptors;
    }

    internal static bool IsAccessor(MethodInfo method) => method.IsSpecialName;
}
