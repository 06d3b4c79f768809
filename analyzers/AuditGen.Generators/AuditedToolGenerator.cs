using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using AuditGen.Generators.Diagnostics;
using AuditGen.Generators.Emit;
using AuditGen.Generators.Model;
using AuditGen.Generators.Parsing;

namespace AuditGen.Generators;

/// <summary>
/// Emits an <c>Audited{Type}</c> decorator for every partial type holding <c>[AuditedTool]</c> methods, and the
/// assembly-wide <c>AuditGen.Generated.AuditedToolManifest</c>.
/// </summary>
/// <remarks>
/// Grouping by type: each <c>[AuditedTool]</c> method is parsed on its own into an equatable <see cref="ToolModel"/>
/// (its tool plus the shell of its containing type), then the models are <c>Collect()</c>ed and grouped by type.
/// We do not build the whole type from its first audited method instead, because the transform of a method in one
/// file of a partial type would then have to stand for methods declared in other files; per-method models keep each
/// method's own transform the only source of its spec. The collected models hold no locations, so edits that only
/// move code around leave them equal, and each wrapper's output stays cached. We also need the collected view anyway
/// for the manifest and the duplicate-name check. <c>CompilationProvider</c> is not combined with any of it.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class AuditedToolGenerator : IIncrementalGenerator
{
    /// <summary>Names of the tracked pipeline steps (tests assert they stay cached).</summary>
    public static class TrackingNames
    {
        /// <summary>One <c>MethodResult</c> per [AuditedTool] method.</summary>
        public const string Methods = "AuditGen.Methods";
        /// <summary>The location-free model of each method.</summary>
        public const string Models = "AuditGen.Models";
        /// <summary>All models, collected.</summary>
        public const string AllModels = "AuditGen.AllModels";
        /// <summary>One spec per wrapper to emit.</summary>
        public const string Wrappers = "AuditGen.Wrappers";
        /// <summary>The manifest spec.</summary>
        public const string Manifest = "AuditGen.Manifest";
        /// <summary>Tool names with their locations.</summary>
        public const string NameClaims = "AuditGen.NameClaims";
        /// <summary>The equatable diagnostics of all methods, plus duplicate names.</summary>
        public const string Diagnostics = "AuditGen.Diagnostics";
        /// <summary>Whether the compilation references AuditGen's hosting extensions.</summary>
        public const string HostingAvailable = "AuditGen.HostingAvailable";
        /// <summary>The tool types the generated <c>AddAuditedTools&lt;TTools&gt;()</c> registers.</summary>
        public const string Registrations = "AuditGen.Registrations";
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<MethodResult> methods = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                WrapChecks.AuditedToolAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                static (syntaxContext, cancellationToken) => ToolParser.Parse(syntaxContext, cancellationToken))
            .WithTrackingName(TrackingNames.Methods);

        IncrementalValueProvider<ImmutableArray<ToolModel>> allModels = methods
            .Select(static (result, _) => result.Model)
            .WithTrackingName(TrackingNames.Models)
            .Collect()
            .WithTrackingName(TrackingNames.AllModels);

        IncrementalValuesProvider<WrapperSpec> wrappers = allModels
            .SelectMany(static (models, _) => GroupByType(models))
            .WithTrackingName(TrackingNames.Wrappers);

        IncrementalValueProvider<ManifestSpec> manifest = allModels
            .Select(static (models, _) => new ManifestSpec(models.Where(m => m.Shell is not null && m.Tool is not null).Select(m => m.Tool!).ToEquatableArray()))
            .WithTrackingName(TrackingNames.Manifest);

        IncrementalValueProvider<ImmutableArray<ToolNameClaim>> claims = methods
            .Select(static (result, _) => result.NameClaim)
            .Where(static claim => claim is not null)
            .Select(static (claim, _) => claim!)
            .Collect()
            .WithTrackingName(TrackingNames.NameClaims);

        IncrementalValueProvider<EquatableArray<DiagnosticInfo>> diagnostics = methods
            .SelectMany(static (result, _) => result.Diagnostics)
            .Collect()
            .Combine(claims)
            .Select(static (pair, _) => pair.Left.Concat(DuplicateNames(pair.Right)).ToEquatableArray())
            .WithTrackingName(TrackingNames.Diagnostics);

        // A bool, so edits elsewhere in the compilation leave it Unchanged and the helper below Cached.
        IncrementalValueProvider<bool> hostingAvailable = context.CompilationProvider
            .Select(static (compilation, _) =>
                compilation.GetTypeByMetadataName(RegistrationEmitter.HostingExtensionsType) is not null
                && compilation.GetTypeByMetadataName(RegistrationEmitter.ServiceCollectionType) is not null)
            .WithTrackingName(TrackingNames.HostingAvailable);

        IncrementalValueProvider<RegistrationsSpec> registrations = wrappers
            .Where(static spec => spec.Shell.Registrable)
            .Select(static (spec, _) => RegistrationEmitter.SpecOf(spec.Shell))
            .Collect()
            .Combine(hostingAvailable)
            .Select(static (pair, _) => new RegistrationsSpec(pair.Left.ToEquatableArray(), pair.Right))
            .WithTrackingName(TrackingNames.Registrations);

        context.RegisterSourceOutput(registrations, static (production, spec) =>
        {
            if (spec.HostingAvailable && !spec.Types.IsEmpty)
            {
                production.AddSource(RegistrationEmitter.HintName, SourceText.From(RegistrationEmitter.Emit(spec), System.Text.Encoding.UTF8));
            }
        });
        context.RegisterSourceOutput(wrappers, static (production, spec) => production.AddSource(spec.Shell.HintName, SourceText.From(WrapperEmitter.Emit(spec), System.Text.Encoding.UTF8)));
        context.RegisterSourceOutput(manifest, static (production, spec) =>
        {
            if (!spec.Tools.IsEmpty)
            {
                production.AddSource(ManifestEmitter.HintName, SourceText.From(ManifestEmitter.Emit(spec), System.Text.Encoding.UTF8));
            }
        });
        // Diagnostics are reported at locations in the compilation's own syntax trees: a location made from a file
        // path alone is not checked against #pragma warning disable. Only this last, trivial step sees the
        // compilation (it re-runs on every edit but only maps spans to trees); parsing and emitting never do.
        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (production, pair) => ReportDiagnostics(production, pair.Left, pair.Right));
    }

    private static void ReportDiagnostics(SourceProductionContext production, EquatableArray<DiagnosticInfo> infos, Compilation compilation)
    {
        if (infos.IsEmpty)
        {
            return;
        }

        var trees = new Dictionary<string, SyntaxTree>(StringComparer.Ordinal);
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            trees[tree.FilePath] = tree;
        }

        foreach (DiagnosticInfo info in infos)
        {
            Location location = Location.None;
            if (info.Location is { } where)
            {
                location = trees.TryGetValue(where.FilePath, out SyntaxTree? tree) && where.Span.End <= tree.Length
                    ? Location.Create(tree, where.Span)
                    : Location.Create(where.FilePath, where.Span, where.LineSpan);
            }

            production.ReportDiagnostic(Diagnostic.Create(Descriptors.Get(info.Id), location, info.MessageArgs.Cast<object>().ToArray()));
        }
    }

    private static IEnumerable<WrapperSpec> GroupByType(ImmutableArray<ToolModel> models)
    {
        var order = new List<string>();
        var shells = new Dictionary<string, WrapperShell>(StringComparer.Ordinal);
        var tools = new Dictionary<string, List<ToolSpec>>(StringComparer.Ordinal);
        foreach (ToolModel model in models)
        {
            if (model.Shell is null || model.Tool is null)
            {
                continue;
            }

            if (!tools.TryGetValue(model.TypeKey, out List<ToolSpec>? list))
            {
                order.Add(model.TypeKey);
                shells[model.TypeKey] = model.Shell;
                tools[model.TypeKey] = list = new List<ToolSpec>();
            }

            list.Add(model.Tool);
        }

        return order.Select(key => new WrapperSpec(shells[key], tools[key].ToEquatableArray()));
    }

    private static IEnumerable<DiagnosticInfo> DuplicateNames(ImmutableArray<ToolNameClaim> claims)
    {
        var first = new Dictionary<string, ToolNameClaim>(StringComparer.Ordinal);
        foreach (ToolNameClaim claim in claims)
        {
            if (first.TryGetValue(claim.ToolName, out ToolNameClaim? owner))
            {
                yield return DiagnosticInfo.Create(
                    Descriptors.InvalidAttributeArguments.Id,
                    claim.Location,
                    claim.MethodDisplay,
                    "the tool name '" + claim.ToolName + "' is already used by '" + owner.MethodDisplay + "'; tool names must be unique in the compilation");
            }
            else
            {
                first.Add(claim.ToolName, claim);
            }
        }
    }
}
