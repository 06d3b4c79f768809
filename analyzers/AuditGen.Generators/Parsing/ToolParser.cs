using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using AuditGen.Generators.Diagnostics;
using AuditGen.Generators.Model;

namespace AuditGen.Generators.Parsing;

/// <summary>Symbols → spec: parses one [AuditedTool] method into a location-free model (diagnostics are the analyzers' job).</summary>
internal static class ToolParser
{
    private const string DataClassificationAttributeName = "AuditGen.DataClassificationAttribute";
    private const string ComplianceClassificationAttributeName = "Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute";
    private const string RedactAttributeName = "AuditGen.RedactAttribute";
    private const string ResourceIdAttributeName = "AuditGen.ResourceIdAttribute";
    private const string SubjectIdAttributeName = "AuditGen.SubjectIdAttribute";
    private const string DescriptionAttributeName = "System.ComponentModel.DescriptionAttribute";

    public static MethodResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || method.ContainingType is not INamedTypeSymbol type)
        {
            return new MethodResult(new ToolModel(string.Empty, null, null), null, EquatableArray<DiagnosticInfo>.Empty);
        }

        string typeKey = Formatting.Code(type);
        try
        {
            return ParseCore(context, method, type, typeKey, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The generator never throws: an unexpected shape becomes a diagnostic on the method.
            var diagnostic = DiagnosticInfo.Create(
                Descriptors.ToolCannotBeWrapped.Id,
                LocationInfo.From(method.Locations.FirstOrDefault()),
                type.Name + "." + method.Name,
                "the generator could not analyse it (" + ex.GetType().Name + ": " + ex.Message + ")");
            return new MethodResult(new ToolModel(typeKey, null, null), null, new EquatableArray<DiagnosticInfo>(new[] { diagnostic }));
        }
    }

    private static MethodResult ParseCore(GeneratorAttributeSyntaxContext context, IMethodSymbol method, INamedTypeSymbol type, string typeKey, CancellationToken cancellationToken)
    {
        AttributeData attribute = context.Attributes[0];
        var ctx = new ParseContext(type.Name + "." + method.Name, KnownEnums.From(attribute.AttributeClass), cancellationToken);
        LocationInfo? attributeLocation = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));

        // [AuditedTool(name, ResourceType = ..., Domains = ..., Classification = ..., Action = ..., FailurePolicy = ...)]
        string toolName = Formatting.ToolNameFromMethod(method.Name);
        bool toolNameValid = true;
        LocationInfo? nameLocation = attributeLocation;
        if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0] is { Kind: TypedConstantKind.Primitive, Value: string explicitName })
        {
            nameLocation = ArgumentLocation(attribute, 0, null, cancellationToken) ?? attributeLocation;
            if (string.IsNullOrWhiteSpace(explicitName))
            {
                // AttributeArgumentsAnalyzer reports it (AUDIT006); the name just claims nothing.
                toolNameValid = false;
            }
            else
            {
                toolName = explicitName;
            }
        }

        string? resourceType = null;
        EnumValue? explicitClassification = null;
        EnumValue domains = ctx.Enums.Member(ctx.Enums.ComplianceDomain, "None", 0, "global::AuditGen.ComplianceDomain");
        EnumValue action = ctx.Enums.Member(ctx.Enums.AuditAction, "ToolInvoked", 3, "global::AuditGen.AuditAction");
        EnumValue failurePolicy = ctx.Enums.Member(ctx.Enums.AuditFailurePolicy, "Default", 0, "global::AuditGen.AuditFailurePolicy");
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            TypedConstant value = named.Value;
            switch (named.Key)
            {
                case "ResourceType":
                    resourceType = value.Value as string;
                    break;
                case "Domains":
                    domains = ctx.EnumArgument(value, ctx.Enums.ComplianceDomain) ?? domains;
                    break;
                case "Classification":
                    explicitClassification = ctx.EnumArgument(value, ctx.Enums.DataClass);
                    break;
                case "Action":
                    action = ctx.EnumArgument(value, ctx.Enums.AuditAction) ?? action;
                    break;
                case "FailurePolicy":
                    failurePolicy = ctx.EnumArgument(value, ctx.Enums.AuditFailurePolicy) ?? failurePolicy;
                    break;
            }
        }

        // Whether it can be wrapped. ToolShapeAnalyzer reports every reason as AUDIT003 from the same checks, live in
        // the IDE and with a code fix; the generator only refuses.
        string? typeReason = WrapChecks.TypeReason(type);
        bool canWrap = typeReason is null && WrapChecks.MethodReasons(method, cancellationToken).Count == 0 && !WrapChecks.HasErrorTypes(method);

        // Parameters and return.
        var parameters = new List<ParameterSpec>();
        int auditIndex = 0;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            bool isCancellationToken = parameter.Type.ToDisplayString() == "System.Threading.CancellationToken";
            DataAnnotations annotations = isCancellationToken ? new DataAnnotations(null, null, "None") : ctx.ReadAnnotations(parameter.GetAttributes(), parameter.Name);
            NullCheck nullCheck = NullCheck.None;
            EquatableArray<PropertySpec> properties = isCancellationToken ? EquatableArray<PropertySpec>.Empty : ObjectProperties(parameter.Type, ctx, out nullCheck);
            parameters.Add(new ParameterSpec(
                parameter.Name,
                Formatting.Identifier(parameter.Name),
                Formatting.Code(parameter.Type),
                Formatting.Manifest(parameter.Type),
                parameter.IsParams,
                parameter.HasExplicitDefaultValue ? Formatting.DefaultValue(parameter) : null,
                parameter.IsOptional && !parameter.HasExplicitDefaultValue,
                DescriptionAttributes(parameter.GetAttributes()),
                isCancellationToken,
                isCancellationToken ? -1 : auditIndex++,
                annotations,
                properties,
                nullCheck));
        }

        ReturnSpec returnSpec = ParseReturn(method, ctx);

        // Effective classification: explicit, else the highest over parameters, object properties and return, else Internal.
        EnumValue classification = explicitClassification
            ?? parameters.SelectMany(p => p.ObjectProperties.Select(o => o.Annotations.Classification).Append(p.Annotations.Classification))
                .Append(returnSpec.Annotations.Classification)
                .Where(c => c is not null)
                .Select(c => c!.Value)
                .OrderByDescending(c => c.Value)
                .Cast<EnumValue?>()
                .FirstOrDefault()
            ?? ctx.Enums.Member(ctx.Enums.DataClass, "Internal", 1, "global::AuditGen.DataClass");

        ImmutableArray<AttributeData> methodAttributes = method.GetAttributes();
        string? description = methodAttributes
            .Where(a => a.AttributeClass?.ToDisplayString() == DescriptionAttributeName && a.ConstructorArguments.Length == 1)
            .Select(a => a.ConstructorArguments[0].Value as string)
            .FirstOrDefault();

        ToolSpec? tool = canWrap
            ? new ToolSpec(
                toolName,
                method.Name,
                type.ToDisplayString(Formatting.ManifestFormat),
                description,
                method.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
                action,
                resourceType,
                classification,
                domains,
                failurePolicy,
                Formatting.TypeParameterList(method.TypeParameters),
                Formatting.ConstraintClauses(method.TypeParameters),
                DescriptionAttributes(methodAttributes),
                parameters.ToEquatableArray(),
                returnSpec)
            : null;

        WrapperShell? shell = typeReason is null ? ShellParser.Parse(type, context.SemanticModel.Compilation, cancellationToken) : null;
        ToolNameClaim? claim = toolNameValid ? new ToolNameClaim(toolName, ctx.MethodDisplay, nameLocation) : null;
        return new MethodResult(new ToolModel(typeKey, shell, tool), claim, EquatableArray<DiagnosticInfo>.Empty);
    }

    private static ReturnSpec ParseReturn(IMethodSymbol method, ParseContext ctx)
    {
        ReturnKind kind = ReturnKind.Value;
        ITypeSymbol? resultType = method.ReturnType;
        if (method.ReturnsVoid)
        {
            kind = ReturnKind.Void;
            resultType = null;
        }
        else if (method.ReturnType is INamedTypeSymbol named)
        {
            switch (named.OriginalDefinition.ToDisplayString())
            {
                case "System.Threading.Tasks.Task":
                    kind = ReturnKind.Task;
                    resultType = null;
                    break;
                case "System.Threading.Tasks.Task<TResult>":
                    kind = ReturnKind.TaskOfT;
                    resultType = named.TypeArguments[0];
                    break;
                case "System.Threading.Tasks.ValueTask":
                    kind = ReturnKind.ValueTask;
                    resultType = null;
                    break;
                case "System.Threading.Tasks.ValueTask<TResult>":
                    kind = ReturnKind.ValueTaskOfT;
                    resultType = named.TypeArguments[0];
                    break;
            }
        }

        return new ReturnSpec(
            kind,
            method.ReturnsVoid ? "void" : Formatting.Code(method.ReturnType),
            resultType is null ? null : Formatting.Code(resultType),
            resultType is null ? "void" : Formatting.Manifest(resultType),
            ctx.ReadAnnotations(method.GetReturnTypeAttributes(), "return value"));
    }

    /// <summary>
    /// For a class/struct/record parameter (not string, primitive, enum or collection) with a public instance property
    /// carrying a classification, [Redact], [SubjectId] or [ResourceId]: all its public readable instance properties.
    /// </summary>
    private static EquatableArray<PropertySpec> ObjectProperties(ITypeSymbol type, ParseContext ctx, out NullCheck nullCheck)
    {
        nullCheck = NullCheck.None;
        bool isNullableValue = type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };
        ITypeSymbol underlying = isNullableValue ? ((INamedTypeSymbol)type).TypeArguments[0] : type;
        if (underlying is not INamedTypeSymbol named
            || named.SpecialType != SpecialType.None
            || named.TypeKind is not (TypeKind.Class or TypeKind.Struct)
            || named.IsRefLikeType
            || named.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable))
        {
            return EquatableArray<PropertySpec>.Empty;
        }

        var chain = new List<INamedTypeSymbol>();
        for (INamedTypeSymbol? current = named; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            chain.Insert(0, current);
        }

        var properties = new List<PropertySpec>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool annotated = false;
        foreach (INamedTypeSymbol level in chain)
        {
            foreach (IPropertySymbol property in level.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.IsStatic || property.IsIndexer || property.DeclaredAccessibility != Accessibility.Public
                    || property.GetMethod is not { DeclaredAccessibility: Accessibility.Public }
                    || property.Type.IsRefLikeType || property.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol
                    || !seen.Add(property.Name))
                {
                    continue;
                }

                ImmutableArray<AttributeData> attributes = property.GetAttributes().AddRange(PrimaryConstructorParameterAttributes(level, property));
                DataAnnotations annotations = ctx.ReadAnnotations(attributes, property.Name);
                annotated |= annotations.HasAny;
                properties.Add(new PropertySpec(property.Name, Formatting.Identifier(property.Name), Formatting.Manifest(property.Type), annotations));
            }
        }

        if (!annotated)
        {
            return EquatableArray<PropertySpec>.Empty;
        }

        nullCheck = isNullableValue ? NullCheck.NullableValue
            : !named.IsReferenceType ? NullCheck.None
            : type.NullableAnnotation == NullableAnnotation.NotAnnotated ? NullCheck.NonNullableReference
            : NullCheck.Reference;
        return properties.ToEquatableArray();
    }

    /// <summary>A positional record property's attributes written without <c>property:</c> land on the constructor parameter.</summary>
    private static ImmutableArray<AttributeData> PrimaryConstructorParameterAttributes(INamedTypeSymbol type, IPropertySymbol property)
    {
        if (!type.IsRecord || property.DeclaringSyntaxReferences.FirstOrDefault() is not { } propertySyntax)
        {
            return ImmutableArray<AttributeData>.Empty;
        }

        foreach (IMethodSymbol constructor in type.InstanceConstructors)
        {
            foreach (IParameterSymbol parameter in constructor.Parameters)
            {
                if (parameter.DeclaringSyntaxReferences.FirstOrDefault() is { } parameterSyntax
                    && parameterSyntax.SyntaxTree == propertySyntax.SyntaxTree
                    && parameterSyntax.Span == propertySyntax.Span)
                {
                    return parameter.GetAttributes();
                }
            }
        }

        return ImmutableArray<AttributeData>.Empty;
    }

    /// <summary><c>[Description]</c> attributes, re-spelled for the wrapper so agent frameworks describe the same tool.</summary>
    private static EquatableArray<string> DescriptionAttributes(ImmutableArray<AttributeData> attributes)
    {
        var result = new List<string>();
        foreach (AttributeData attribute in attributes)
        {
            if (attribute.AttributeClass?.ToDisplayString() != DescriptionAttributeName)
            {
                continue;
            }

            if (attribute.ConstructorArguments.Length == 0)
            {
                result.Add("[global::System.ComponentModel.Description]");
            }
            else if (attribute.ConstructorArguments[0] is { Kind: TypedConstantKind.Primitive } argument)
            {
                result.Add("[global::System.ComponentModel.Description(" + Formatting.StringLiteral(argument.Value as string) + ")]");
            }
        }

        return result.ToEquatableArray();
    }

    /// <summary>The syntax of a constructor argument (by position) or named argument of an attribute.</summary>
    private static LocationInfo? ArgumentLocation(AttributeData attribute, int? position, string? name, CancellationToken cancellationToken)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax { ArgumentList: { } list })
        {
            return null;
        }

        int index = 0;
        foreach (AttributeArgumentSyntax argument in list.Arguments)
        {
            if (name is not null && argument.NameEquals?.Name.Identifier.ValueText == name)
            {
                return LocationInfo.From(argument.Expression);
            }

            if (argument.NameEquals is null && argument.NameColon is null)
            {
                if (position == index)
                {
                    return LocationInfo.From(argument.Expression);
                }

                index++;
            }
        }

        return null;
    }

    /// <summary>AuditGen's enums as the referenced contracts define them (names come from the symbols, not from this generator).</summary>
    private sealed class KnownEnums
    {
        public INamedTypeSymbol? DataClass { get; private set; }
        public INamedTypeSymbol? ComplianceDomain { get; private set; }
        public INamedTypeSymbol? AuditAction { get; private set; }
        public INamedTypeSymbol? AuditFailurePolicy { get; private set; }

        public static KnownEnums From(INamedTypeSymbol? attributeClass)
        {
            INamedTypeSymbol? PropertyType(string name)
                => attributeClass?.GetMembers(name).OfType<IPropertySymbol>().FirstOrDefault()?.Type as INamedTypeSymbol is { TypeKind: TypeKind.Enum } type ? type : null;

            return new KnownEnums
            {
                DataClass = PropertyType("Classification"),
                ComplianceDomain = PropertyType("Domains"),
                AuditAction = PropertyType("Action"),
                AuditFailurePolicy = PropertyType("FailurePolicy"),
            };
        }

        /// <summary>The member <paramref name="name"/> of <paramref name="enumType"/>, or a fallback spelling.</summary>
        public EnumValue Member(INamedTypeSymbol? enumType, string name, long fallbackValue, string fallbackTypeName)
        {
            if (enumType?.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault() is { HasConstantValue: true } field
                && Formatting.TryToInt64(field.ConstantValue, out long value))
            {
                return new EnumValue(value, Formatting.Code(enumType) + "." + Formatting.Identifier(name));
            }

            return new EnumValue(fallbackValue, fallbackTypeName + "." + name);
        }
    }

    /// <summary>Per-method parsing state: the method's display name and the diagnostics found so far.</summary>
    private sealed class ParseContext
    {
        public ParseContext(string methodDisplay, KnownEnums enums, CancellationToken cancellationToken)
        {
            MethodDisplay = methodDisplay;
            Enums = enums;
            CancellationToken = cancellationToken;
        }

        public string MethodDisplay { get; }
        public KnownEnums Enums { get; }
        public CancellationToken CancellationToken { get; }

        /// <summary>An enum-typed attribute argument; an undefined value is kept as a cast.</summary>
        public EnumValue? EnumArgument(TypedConstant constant, INamedTypeSymbol? fallbackType)
        {
            if (constant.Kind == TypedConstantKind.Error || !Formatting.TryToInt64(constant.Value, out long value))
            {
                return null;
            }

            INamedTypeSymbol? enumType = constant.Type as INamedTypeSymbol is { TypeKind: TypeKind.Enum } type ? type : fallbackType;
            if (enumType is null)
            {
                return null;
            }

            // An undefined value is kept as a cast; AttributeArgumentsAnalyzer reports it (AUDIT006).
            return new EnumValue(value, Formatting.EnumExpression(enumType, value, out _));
        }

        /// <summary>Classification, [Redact] strategy and role from the attributes of a parameter, property or return value.</summary>
        public DataAnnotations ReadAnnotations(ImmutableArray<AttributeData> attributes, string subject)
        {
            EnumValue? classification = null;
            EnumValue? redaction = null;
            string role = "None";
            foreach (AttributeData attribute in attributes)
            {
                CancellationToken.ThrowIfCancellationRequested();
                string? name = attribute.AttributeClass?.ToDisplayString();
                switch (name)
                {
                    case DataClassificationAttributeName when attribute.ConstructorArguments.Length == 1:
                        classification = Max(classification, EnumArgument(attribute.ConstructorArguments[0], DataClass()));
                        break;
                    case RedactAttributeName when attribute.ConstructorArguments.Length == 1:
                        redaction = EnumArgument(attribute.ConstructorArguments[0], null) ?? redaction;
                        break;
                    case ResourceIdAttributeName:
                        role = "ResourceId";
                        break;
                    case SubjectIdAttributeName:
                        role = "SubjectId";
                        break;
                    default:
                        if (InheritsFrom(attribute.AttributeClass, ComplianceClassificationAttributeName))
                        {
                            // A team's own taxonomy (any other Microsoft.Extensions.Compliance classification) counts as Confidential.
                            classification = Max(classification, Enums.Member(DataClass(), "Confidential", 2, "global::AuditGen.DataClass"));
                        }

                        break;
                }
            }

            return new DataAnnotations(classification, redaction, role);
        }

        private INamedTypeSymbol? DataClass() => Enums.DataClass;

        private static EnumValue? Max(EnumValue? left, EnumValue? right)
            => left is null ? right : right is null ? left : left.Value.Value >= right.Value.Value ? left : right;

        private static bool InheritsFrom(INamedTypeSymbol? type, string baseName)
        {
            for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
            {
                if (current.ToDisplayString() == baseName)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
