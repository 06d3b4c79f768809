using System.Collections.Concurrent;
using System.Reflection;

namespace AuditGen.DynamicProxy;

/// <summary>
/// The audited methods of one proxy, built and checked when the proxy is created; a generic method's closed forms are
/// built on first call and cached. A method that is not audited maps to <see langword="null"/> and is passed through.
/// </summary>
internal sealed class ToolTable
{
    private readonly ConcurrentDictionary<MethodInfo, InterceptedMethod?> _methods = new();
    private readonly HashSet<MethodInfo> _genericTools = [];
    private readonly AuditProxyOptions _options;

    private ToolTable(AuditProxyOptions options) => _options = options;

    public List<ToolDescriptor> Descriptors { get; } = [];

    public static ToolTable ForInterface(Type interfaceType, Type targetType, AuditProxyOptions options)
    {
        var table = new ToolTable(options);
        var matched = new HashSet<ToolMapping>();
        foreach (var declaring in interfaceType.GetInterfaces().Prepend(interfaceType))
        {
            InterfaceMapping? map = targetType.IsClass || targetType.IsValueType ? targetType.GetInterfaceMap(declaring) : null;
            foreach (var method in declaring.GetMethods())
            {
                if (AuditProxy.IsAccessor(method))
                    continue;
                var implementation = map is { } m ? m.TargetMethods[Array.IndexOf(m.InterfaceMethods, method)] : null;
                table.Add(method, implementation, matched);
            }
        }

        table.EnsureMapped(matched, interfaceType);
        return table;
    }

    public static ToolTable ForClass(Type classType, AuditProxyOptions options)
    {
        var table = new ToolTable(options);
        var matched = new HashSet<ToolMapping>();
        foreach (var method in classType.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (AuditProxy.IsAccessor(method) || method.DeclaringType == typeof(object))
                continue;
            var tool = table.Add(method, null, matched);
            if (tool && (!method.IsVirtual || method.IsFinal))
            {
                throw new ArgumentException(
                    $"{classType.FullName}.{method.Name} is an audited tool but not virtual (or sealed), so a class proxy cannot intercept it. " +
                    "Make it virtual, or proxy an interface with AuditProxy.Create.", nameof(classType));
            }
        }

        table.EnsureMapped(matched, classType);
        return table;
    }

    /// <summary>The audited form of the called method, or <see langword="null"/> to pass it through.</summary>
    public InterceptedMethod? Find(Castle.DynamicProxy.IInvocation invocation)
    {
        var called = invocation.Method;
        if (_methods.TryGetValue(called, out var known))
            return known;
        if (!called.IsGenericMethod || !_genericTools.Contains(called.GetGenericMethodDefinition()))
            return null;
        // Castle resolves the target's method on demand; only a generic method's first call needs it.
        return _methods.GetOrAdd(called, m => Build(m, invocation.MethodInvocationTarget));
    }

    /// <summary>Registers a method; returns whether it is audited.</summary>
    private bool Add(MethodInfo method, MethodInfo? implementation, HashSet<ToolMapping> matched)
    {
        var mapping = _options.Tools.Find(method, implementation);
        if (mapping is not null)
            matched.Add(mapping);
        var audited = _options.AuditAllMethods || mapping is not null
            || method.IsDefined(typeof(AuditedToolAttribute)) || implementation?.IsDefined(typeof(AuditedToolAttribute)) == true;
        if (method.IsGenericMethodDefinition)
        {
            if (audited)
                _genericTools.Add(method);
            return audited;
        }

        var intercepted = Build(method, implementation);
        _methods[method] = intercepted;
        if (intercepted is not null)
            Descriptors.Add(intercepted.Tool.Descriptor);
        return intercepted is not null;
    }

    private InterceptedMethod? Build(MethodInfo method, MethodInfo? implementation)
    {
        var tool = RuntimeTool.ForMethod(method, implementation, _options.Tools, _options.AuditAllMethods);
        return tool is null ? null : new InterceptedMethod(tool);
    }

    private void EnsureMapped(HashSet<ToolMapping> matched, Type type)
    {
        var unknown = _options.Tools.Tools.Where(t => !matched.Contains(t)).Select(t => $"'{t.Key}'").ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"The audit proxy options configure {string.Join(", ", unknown)}, which match no method of {type.FullName} " +
                "(give a tool name such as 'lookup_patient' or a method name such as 'LookupPatientAsync').");
        }
    }
}
