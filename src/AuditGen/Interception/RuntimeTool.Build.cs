using System.ComponentModel;
using System.Reflection;
using ComplianceClassification = Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute;

namespace AuditGen;

/// <summary>Building a descriptor from a method's attributes and a mapping, by the generator's rules.</summary>
public sealed partial class RuntimeTool
{
    /// <summary>
    /// The tool for <paramref name="method"/>, or <see langword="null"/> when it is neither marked
    /// <c>[AuditedTool]</c> nor configured in <paramref name="map"/> (and <paramref name="auditUnannotated"/> is false).
    /// </summary>
    /// <param name="method">The method as called (for an interface proxy, the interface method).</param>
    /// <param name="attributeSource">Where the attributes are read: the implementation when it has <c>[AuditedTool]</c>, else <paramref name="method"/>. Defaults to <paramref name="method"/>.</param>
    /// <param name="map">Configuration for code that cannot be annotated.</param>
    /// <param name="auditUnannotated">Audit the method even without attribute or mapping (unclassified, internal).</param>
    /// <exception cref="NotSupportedException">The method has a shape that cannot be audited (by-reference or pointer parameters, ref struct types, ref returns).</exception>
    /// <exception cref="ArgumentException">The mapping names a parameter or property the method does not have.</exception>
    public static RuntimeTool? ForMethod(MethodInfo method, MethodInfo? attributeSource = null, ToolMap? map = null, bool auditUnannotated = false)
    {
        ArgumentNullException.ThrowIfNull(method);
        var source = PickAttributeSource(method, attributeSource);
        var attribute = source.GetCustomAttribute<AuditedToolAttribute>();
        var derivedName = attribute?.Name ?? ToolNames.FromMethod(method.Name);
        var mapping = map?.Find(derivedName, method.Name);
        if (attribute is null && mapping is null && !auditUnannotated)
            return null;
        return Build(method, source, mapping, derivedName, static _ => true);
    }

    /// <summary>
    /// The tool for a method exposed under <paramref name="toolName"/> (e.g. an <c>AIFunction</c>'s name): always audited.
    /// A method marked <c>[AuditedTool]</c> keeps its manifest name (explicit, or the snake_case method name), and
    /// <paramref name="mapping"/> may rename it. Parameters for which <paramref name="isAudited"/>
    /// is false (framework-bound ones) are neither recorded nor counted.
    /// </summary>
    /// <exception cref="NotSupportedException">The method has a shape that cannot be audited.</exception>
    /// <exception cref="ArgumentException">The mapping names a parameter or property the method does not have.</exception>
    public static RuntimeTool ForMethod(MethodInfo method, string toolName, ToolMapping? mapping, Func<ParameterInfo, bool>? isAudited = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentException.ThrowIfNullOrWhiteSpace(toolName);
        // An [AuditedTool] method is recorded under its manifest name, whatever the function is called.
        var attribute = method.GetCustomAttribute<AuditedToolAttribute>();
        var name = attribute is null ? toolName : attribute.Name ?? ToolNames.FromMethod(method.Name);
        return Build(method, method, mapping, name, isAudited ?? (static _ => true));
    }

    /// <summary>
    /// A tool without a method (a remote or schema-only function): its parameters are <paramref name="parameterNames"/>,
    /// everything else comes from <paramref name="mapping"/>; arguments are captured by their runtime types.
    /// </summary>
    /// <exception cref="ArgumentException">The mapping names a parameter the tool does not have.</exception>
    public static RuntimeTool ForArguments(string toolName, IReadOnlyList<string> parameterNames, ToolMapping? mapping, string? description = null, string containingType = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(toolName);
        ArgumentNullException.ThrowIfNull(parameterNames);
        var consumed = new HashSet<string>(StringComparer.Ordinal);
        var plans = new ArgumentPlan[parameterNames.Count];
        var parameters = new ToolParameter[parameterNames.Count];
        for (var i = 0; i < parameterNames.Count; i++)
        {
            var name = parameterNames[i];
            var value = Lookup(mapping, name, consumed);
            parameters[i] = new ToolParameter(name, "object", value?.Classification, value?.Redaction, value?.Role ?? ToolParameterRole.None, []);
            plans[i] = new ArgumentPlan(new RuntimeToolParameter(name, i, null, default), null, []);
        }

        var returns = new ToolReturn("object", mapping?.ResultMapping?.Classification, mapping?.ResultMapping?.Redaction);
        EnsureConsumed(mapping, consumed, toolName);
        var descriptor = Describe(mapping?.ToolName ?? toolName, containingType, toolName, mapping?.DescriptionText ?? description, mapping, null, null, parameters, returns);
        return new RuntimeTool(descriptor, null, plans, ToolReturnKind.Value, null);
    }

    private static MethodInfo PickAttributeSource(MethodInfo method, MethodInfo? attributeSource)
    {
        if (attributeSource is null || attributeSource == method)
            return method;
        return attributeSource.IsDefined(typeof(AuditedToolAttribute)) || !method.IsDefined(typeof(AuditedToolAttribute)) ? attributeSource : method;
    }

    private static RuntimeTool Build(MethodInfo method, MethodInfo source, ToolMapping? mapping, string derivedName, Func<ParameterInfo, bool> isAudited)
    {
        var display = $"{method.DeclaringType?.Name}.{method.Name}";
        if (method.ReturnType.IsByRef)
            throw CannotAudit(display, "it returns by reference");
        if (method.ContainsGenericParameters)
            throw CannotAudit(display, "it is an open generic method (describe its closed form)");

        var nullability = new NullabilityInfoContext();
        var consumed = new HashSet<string>(StringComparer.Ordinal);
        var signature = method.GetParameters();
        var annotated = source.GetParameters();
        var plans = new List<ArgumentPlan>();
        var parameters = new List<ToolParameter>();
        for (var position = 0; position < signature.Length; position++)
        {
            var parameter = signature[position];
            var type = parameter.ParameterType;
            if (type.IsByRef)
                throw CannotAudit(display, $"parameter '{parameter.Name}' is passed by reference (ref/out/in)");
            if (type.IsPointer || type.IsFunctionPointer || type.IsByRefLike)
                throw CannotAudit(display, $"parameter '{parameter.Name}' has type {type.Name}, which cannot be captured");
            if (type == typeof(CancellationToken) || !isAudited(parameter))
                continue;

            var name = parameter.Name ?? $"arg{position}";
            var attributes = position < annotated.Length ? annotated[position] : parameter;
            var (classification, redaction, role) = Annotations(attributes.GetCustomAttributes(true), Lookup(mapping, name, consumed));
            var (properties, propertyPlans) = ObjectProperties(type, name, mapping, consumed);
            parameters.Add(new ToolParameter(name, TypeNames.Of(type, SafeNullability(nullability, parameter)), classification, redaction, role, properties));
            var defaultValue = parameter.HasDefaultValue ? new Optional<object?>(true, parameter.DefaultValue) : default;
            plans.Add(new ArgumentPlan(new RuntimeToolParameter(name, position, type, defaultValue), ValueCapture.For(type), propertyPlans));
        }

        var (kind, resultType) = ReturnShape(method.ReturnType);
        var (resultClass, resultRedaction, _) = Annotations(source.ReturnParameter.GetCustomAttributes(true), mapping?.ResultMapping);
        var resultNullability = SafeNullability(nullability, method.ReturnParameter);
        var returns = resultType is null
            ? ToolReturn.Void
            : new ToolReturn(TypeNames.Of(resultType, kind is ToolReturnKind.Value ? resultNullability : resultNullability?.GenericTypeArguments.FirstOrDefault()), resultClass, resultRedaction);

        EnsureConsumed(mapping, consumed, derivedName);
        var attribute = source.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(AuditedToolAttribute));
        var containingType = method.DeclaringType is { } declaring ? TypeNames.Of(declaring) : string.Empty;
        var description = mapping?.DescriptionText ?? source.GetCustomAttribute<DescriptionAttribute>()?.Description;
        var descriptor = Describe(mapping?.ToolName ?? derivedName, containingType, method.Name, description, mapping, attribute, returns.Classification, parameters, returns);
        return new RuntimeTool(descriptor, method, [.. plans], kind, resultType);
    }

    private static ToolDescriptor Describe(string name, string containingType, string methodName, string? description, ToolMapping? mapping,
        CustomAttributeData? attribute, DataClass? resultClass, IReadOnlyList<ToolParameter> parameters, ToolReturn returns)
    {
        object? NamedValue(string property)
        {
            if (attribute is null)
                return null;
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.MemberName == property)
                    return argument.TypedValue.Value;
            }

            return null;
        }

        T? Named<T>(string property)
            where T : struct, Enum =>
            NamedValue(property) is { } value ? (T)Enum.ToObject(typeof(T), value) : null;

        var declared = Max(Named<DataClass>(nameof(AuditedToolAttribute.Classification)), mapping?.ToolClassification);
        var classification = declared
            ?? parameters.SelectMany(p => p.Properties.Select(o => o.Classification).Append(p.Classification))
                .Append(returns.Classification ?? resultClass)
                .Where(c => c is not null)
                .Max()
            ?? DataClass.Internal;
        var resourceType = mapping?.ResourceTypeName
            ?? NamedValue(nameof(AuditedToolAttribute.ResourceType)) as string;
        return new ToolDescriptor(
            name,
            containingType,
            methodName,
            description,
            mapping?.ToolAction ?? Named<AuditAction>(nameof(AuditedToolAttribute.Action)) ?? AuditAction.ToolInvoked,
            resourceType,
            classification,
            mapping?.DomainFlags ?? Named<ComplianceDomain>(nameof(AuditedToolAttribute.Domains)) ?? ComplianceDomain.None,
            mapping?.Policy ?? Named<AuditFailurePolicy>(nameof(AuditedToolAttribute.FailurePolicy)) ?? AuditFailurePolicy.Default,
            parameters,
            returns);
    }

    /// <summary>Classification, strategy and role from attributes, then the mapping (which wins, but never lowers a class).</summary>
    private static (DataClass? Classification, RedactionStrategy? Redaction, ToolParameterRole Role) Annotations(object[] attributes, ValueMapping? mapping)
    {
        DataClass? classification = null;
        RedactionStrategy? redaction = null;
        var role = ToolParameterRole.None;
        foreach (var attribute in attributes)
        {
            switch (attribute)
            {
                case DataClassificationAttribute ours:
                    classification = Max(classification, ours.DataClass);
                    break;
                case ComplianceClassification:
                    // A team's own taxonomy (any other Microsoft.Extensions.Compliance classification) counts as Confidential.
                    classification = Max(classification, DataClass.Confidential);
                    break;
                case RedactAttribute redact:
                    redaction = redact.Strategy;
                    break;
                case ResourceIdAttribute:
                    role = ToolParameterRole.ResourceId;
                    break;
                case SubjectIdAttribute:
                    role = ToolParameterRole.SubjectId;
                    break;
            }
        }

        if (mapping is null)
            return (classification, redaction, role);
        return (Max(classification, mapping.Classification), mapping.Redaction ?? redaction, mapping.Role ?? role);
    }

    /// <summary>
    /// For a class or struct argument (not a primitive, string, enum or collection) with a property carrying a
    /// classification, <c>[Redact]</c>, <c>[SubjectId]</c> or <c>[ResourceId]</c> (or mapped as <c>parameter.Property</c>):
    /// all its public readable instance properties, base type first, as the generator lists them.
    /// </summary>
    private static (IReadOnlyList<ToolParameter> Properties, PropertyPlan[] Plans) ObjectProperties(Type type, string parameter, ToolMapping? mapping, HashSet<string> consumed)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsPrimitive || underlying.IsEnum || underlying.IsByRefLike || underlying.IsArray || underlying.IsPointer
            || underlying == typeof(string) || underlying == typeof(object) || underlying == typeof(decimal) || underlying == typeof(DateTime)
            || underlying.IsInterface || underlying.IsGenericParameter
            || typeof(System.Collections.IEnumerable).IsAssignableFrom(underlying))
        {
            return ([], []);
        }

        var chain = new List<Type>();
        for (var current = underlying; current is not null && current != typeof(object) && current != typeof(ValueType); current = current.BaseType)
            chain.Insert(0, current);

        var nullability = new NullabilityInfoContext();
        var specs = new List<ToolParameter>();
        var plans = new List<PropertyPlan>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var annotated = false;
        var tentative = new HashSet<string>(StringComparer.Ordinal);
        foreach (var level in chain)
        {
            foreach (var property in level.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true }
                    || property.PropertyType.IsByRefLike || property.PropertyType.IsPointer || property.PropertyType.IsByRef
                    || !seen.Add(property.Name))
                {
                    continue;
                }

                var attributes = property.GetCustomAttributes(true).Concat(PrimaryConstructorParameterAttributes(level, property)).ToArray();
                var key = parameter + "." + property.Name;
                var mapped = mapping is not null && mapping.Values.TryGetValue(key, out var value) ? value : null;
                if (mapped is not null)
                    tentative.Add(key);
                var (classification, redaction, role) = Annotations(attributes, mapped);
                annotated |= mapped is not null || classification is not null || redaction is not null || role != ToolParameterRole.None;
                specs.Add(new ToolParameter(property.Name, TypeNames.Of(property.PropertyType, SafeNullability(nullability, property)), classification, redaction, role, []));
                plans.Add(new PropertyPlan(property, ValueCapture.For(property.PropertyType)));
            }
        }

        if (!annotated)
            return ([], []);
        consumed.UnionWith(tentative);
        return (specs, [.. plans]);
    }

    /// <summary>A positional record property's attributes written without <c>property:</c> land on the constructor parameter.</summary>
    private static IEnumerable<object> PrimaryConstructorParameterAttributes(Type type, PropertyInfo property)
    {
        if (type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is null)
            return [];
        foreach (var constructor in type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            foreach (var parameter in constructor.GetParameters())
            {
                if (parameter.Name == property.Name && parameter.ParameterType == property.PropertyType)
                    return parameter.GetCustomAttributes(true);
            }
        }

        return [];
    }

    private static (ToolReturnKind Kind, Type? ResultType) ReturnShape(Type returnType)
    {
        if (returnType == typeof(void))
            return (ToolReturnKind.Void, null);
        if (returnType == typeof(Task))
            return (ToolReturnKind.Task, null);
        if (returnType == typeof(ValueTask))
            return (ToolReturnKind.ValueTask, null);
        if (returnType.IsGenericType)
        {
            var definition = returnType.GetGenericTypeDefinition();
            if (definition == typeof(Task<>))
                return (ToolReturnKind.TaskOfT, returnType.GetGenericArguments()[0]);
            if (definition == typeof(ValueTask<>))
                return (ToolReturnKind.ValueTaskOfT, returnType.GetGenericArguments()[0]);
        }

        return (ToolReturnKind.Value, returnType);
    }

    private static ValueMapping? Lookup(ToolMapping? mapping, string name, HashSet<string> consumed)
    {
        if (mapping is null || !mapping.Values.TryGetValue(name, out var value))
            return null;
        consumed.Add(name);
        return value;
    }

    private static void EnsureConsumed(ToolMapping? mapping, HashSet<string> consumed, string toolName)
    {
        if (mapping is null)
            return;
        var unknown = mapping.Values.Keys.Where(k => !consumed.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"Tool map '{mapping.Key}' (tool '{toolName}') configures {string.Join(", ", unknown.Select(u => $"'{u}'"))}, which the tool does not have " +
                "(name a parameter, or 'parameter.Property' for a property of a class or record argument).");
        }
    }

    private static NullabilityInfo? SafeNullability(NullabilityInfoContext context, ParameterInfo parameter)
    {
        try
        {
            return context.Create(parameter);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException)
        {
            // Nullability metadata unavailable (trimmed): the manifest type name then carries no '?'.
            return null;
        }
    }

    private static NullabilityInfo? SafeNullability(NullabilityInfoContext context, PropertyInfo property)
    {
        try
        {
            return context.Create(property);
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    private static DataClass? Max(DataClass? left, DataClass? right) =>
        left is null ? right : right is null ? left : (DataClass)Math.Max((int)left.Value, (int)right.Value);

    private static NotSupportedException CannotAudit(string method, string reason) =>
        new($"AuditGen cannot audit {method}: {reason}. Wrap it in a method of a supported shape.");
}
