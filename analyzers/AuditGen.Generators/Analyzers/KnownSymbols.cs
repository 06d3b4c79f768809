using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace AuditGen.Generators.Analyzers;

/// <summary>
/// The types the analyzers look for, resolved once per compilation by metadata name (so no package reference to
/// Semantic Kernel or the MCP SDK is needed). Absent types are null.
/// </summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(Compilation compilation)
    {
        AuditedTool = compilation.GetTypeByMetadataName("AuditGen.AuditedToolAttribute");
        NotAudited = compilation.GetTypeByMetadataName("AuditGen.NotAuditedAttribute");
        DataClassification = compilation.GetTypeByMetadataName("AuditGen.DataClassificationAttribute");
        Redact = compilation.GetTypeByMetadataName("AuditGen.RedactAttribute");
        ComplianceClassification = compilation.GetTypeByMetadataName("Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute");
        Description = compilation.GetTypeByMetadataName("System.ComponentModel.DescriptionAttribute");
        KernelFunction = compilation.GetTypeByMetadataName("Microsoft.SemanticKernel.KernelFunctionAttribute");
        McpServerTool = compilation.GetTypeByMetadataName("ModelContextProtocol.Server.McpServerToolAttribute");
        McpServerToolType = compilation.GetTypeByMetadataName("ModelContextProtocol.Server.McpServerToolTypeAttribute");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        IDisposable = compilation.GetSpecialType(SpecialType.System_IDisposable);
        IAsyncDisposable = compilation.GetTypeByMetadataName("System.IAsyncDisposable");
        ILogger = compilation.GetTypeByMetadataName("Microsoft.Extensions.Logging.ILogger");
        ILoggerOfT = compilation.GetTypeByMetadataName("Microsoft.Extensions.Logging.ILogger`1");
        LoggerMessage = compilation.GetTypeByMetadataName("Microsoft.Extensions.Logging.LoggerMessageAttribute");
        Console = compilation.GetTypeByMetadataName("System.Console");
        Debug = compilation.GetTypeByMetadataName("System.Diagnostics.Debug");
        Trace = compilation.GetTypeByMetadataName("System.Diagnostics.Trace");
        TextWriter = compilation.GetTypeByMetadataName("System.IO.TextWriter");

        var markers = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
        foreach (INamedTypeSymbol? marker in new[] { Description, KernelFunction, McpServerTool })
        {
            if (marker is not null)
            {
                markers.Add(marker);
            }
        }

        ToolMarkers = markers.ToImmutable();
    }

    public INamedTypeSymbol? AuditedTool { get; }
    public INamedTypeSymbol? NotAudited { get; }
    public INamedTypeSymbol? DataClassification { get; }
    public INamedTypeSymbol? Redact { get; }
    public INamedTypeSymbol? ComplianceClassification { get; }
    public INamedTypeSymbol? Description { get; }
    public INamedTypeSymbol? KernelFunction { get; }
    public INamedTypeSymbol? McpServerTool { get; }
    public INamedTypeSymbol? McpServerToolType { get; }
    public INamedTypeSymbol? CancellationToken { get; }
    public INamedTypeSymbol IDisposable { get; }
    public INamedTypeSymbol? IAsyncDisposable { get; }
    public INamedTypeSymbol? ILogger { get; }
    public INamedTypeSymbol? ILoggerOfT { get; }
    public INamedTypeSymbol? LoggerMessage { get; }
    public INamedTypeSymbol? Console { get; }
    public INamedTypeSymbol? Debug { get; }
    public INamedTypeSymbol? Trace { get; }
    public INamedTypeSymbol? TextWriter { get; }

    /// <summary>The agent-tool marker attributes that resolve in this compilation.</summary>
    public ImmutableArray<INamedTypeSymbol> ToolMarkers { get; }

    /// <summary>The symbols, or null when the compilation does not reference AuditGen (then no analyzer has anything to say).</summary>
    public static KnownSymbols? Create(Compilation compilation)
    {
        var symbols = new KnownSymbols(compilation);
        return symbols.AuditedTool is null ? null : symbols;
    }

    public bool IsAuditedTool(AttributeData attribute) => Is(attribute.AttributeClass, AuditedTool);

    public bool IsNotAudited(AttributeData attribute) => Is(attribute.AttributeClass, NotAudited);

    /// <summary>Whether <paramref name="symbol"/> carries [AuditedTool].</summary>
    public bool HasAuditedTool(ISymbol symbol) => Find(symbol.GetAttributes(), AuditedTool) is not null;

    /// <summary>The first attribute of class <paramref name="type"/>, or null.</summary>
    public static AttributeData? Find(ImmutableArray<AttributeData> attributes, INamedTypeSymbol? type)
    {
        if (type is null)
        {
            return null;
        }

        foreach (AttributeData attribute in attributes)
        {
            if (Is(attribute.AttributeClass, type))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>
    /// How the attributes classify a value: any <c>DataClassificationAttribute</c> of Microsoft.Extensions.Compliance
    /// (ours or a team's own subclass) or an AuditGen <c>[Redact]</c> counts as classified.
    /// </summary>
    public Classification Classify(ImmutableArray<AttributeData> attributes)
    {
        Classification result = Classification.None;
        foreach (AttributeData attribute in attributes)
        {
            INamedTypeSymbol? type = attribute.AttributeClass;
            if (type is null || type.TypeKind == TypeKind.Error)
            {
                continue;
            }

            if (Is(type, DataClassification))
            {
                // Our own attribute says exactly how sensitive: DataClass.Confidential = 2, Restricted = 3.
                Classification level = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int value
                    ? value >= 2 ? Classification.Sensitive : Classification.NotSensitive
                    : Classification.NotSensitive;
                result = Max(result, level);
            }
            else if (InheritsFrom(type, ComplianceClassification))
            {
                // A team's own taxonomy counts as Confidential, as the generator records it.
                result = Max(result, Classification.Sensitive);
            }
            else if (Is(type, Redact))
            {
                // The trail redacts it, so everything else must too.
                result = Max(result, Classification.Sensitive);
            }
        }

        return result;
    }

    /// <summary>Whether <paramref name="type"/> is <c>ILogger</c> or an <c>ILogger&lt;T&gt;</c>.</summary>
    public bool IsLogger(ITypeSymbol? type)
        => type is INamedTypeSymbol named && ILogger is not null
           && (Is(named, ILogger) || (ILoggerOfT is not null && Is(named.OriginalDefinition, ILoggerOfT)));

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected)
        => expected is not null && SymbolEqualityComparer.Default.Equals(type, expected);

    public static bool InheritsFrom(INamedTypeSymbol? type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
        {
            return false;
        }

        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
            {
                return true;
            }
        }

        return false;
    }

    private static Classification Max(Classification left, Classification right) => left >= right ? left : right;
}

/// <summary>What the attributes of a value say about it.</summary>
internal enum Classification
{
    /// <summary>No classification or redaction at all.</summary>
    None,

    /// <summary>Classified as Public or Internal.</summary>
    NotSensitive,

    /// <summary>Confidential or Restricted, given a [Redact] strategy, or classified by a team's own Microsoft.Extensions.Compliance taxonomy.</summary>
    Sensitive,
}
