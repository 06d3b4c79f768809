using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AuditGen.Analyzers.Tests;

/// <summary>The descriptor catalog is the contract: every ID once, documented, tracked, with a working help link.</summary>
public class CatalogTests
{
    private static readonly string[] s_ids = ["AUDIT001", "AUDIT002", "AUDIT003", "AUDIT004", "AUDIT005", "AUDIT006", "AUDIT007"];

    private static readonly List<DiagnosticDescriptor> s_descriptors =
    [
        .. typeof(AuditGen.Generators.AuditedToolGenerator).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(DiagnosticAnalyzer)) && !t.IsAbstract)
            .SelectMany(t => ((DiagnosticAnalyzer)Activator.CreateInstance(t)!).SupportedDiagnostics),
    ];

    [Fact]
    public void Every_ID_is_reported_by_exactly_one_analyzer()
        => Assert.Equal(s_ids, s_descriptors.Select(d => d.Id).Order());

    [Fact]
    public void Every_ID_has_its_section_in_docs_diagnostics_and_a_help_link_to_it()
    {
        string docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"));
        foreach (DiagnosticDescriptor descriptor in s_descriptors)
        {
            Assert.Contains("\n## " + descriptor.Id + "\n", docs.ReplaceLineEndings("\n"));
            Assert.EndsWith("/docs/diagnostics.md#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
            Assert.Equal("AuditGen", descriptor.Category);
            Assert.False(string.IsNullOrWhiteSpace(descriptor.Title.ToString()));
            Assert.Contains("{0}", descriptor.MessageFormat.ToString());
        }
    }

    [Fact]
    public void Every_ID_is_tracked_in_the_analyzer_release_files_with_its_severity()
    {
        string folder = Path.Combine(RepositoryRoot(), "analyzers", "AuditGen.Generators");
        string tracked = File.ReadAllText(Path.Combine(folder, "AnalyzerReleases.Shipped.md")) + File.ReadAllText(Path.Combine(folder, "AnalyzerReleases.Unshipped.md"));
        foreach (DiagnosticDescriptor descriptor in s_descriptors)
        {
            Assert.Contains(descriptor.Id + " | AuditGen | " + descriptor.DefaultSeverity + " |", tracked);
        }
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AuditGen.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("AuditGen.sln not found");
    }
}
