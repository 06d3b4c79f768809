using System.Xml.Linq;

namespace AuditGen.Packaging.Tests;

/// <summary>The `AuditGen` package, the way a user gets it: packed into a folder, referenced by a fresh console project.</summary>
[Collection(DotnetProcesses.Name)]
public class PackageTests
{
    private const string ConsumerProgram = """
        using System.ComponentModel;
        using AuditGen;

        await using (var trail = AuditTrail.OpenLiteDb(Path.Combine(args[0], "audit.db"), new() { HmacKey = new byte[32] }))
        {
            var tools = new AuditedConsumerTools(new ConsumerTools(), trail);
            using (AuditContext.Begin(conversationId: "c-1", userId: "u-1", agentName: "consumer"))
            {
                Console.WriteLine(tools.Greet("Ada"));
            }

            VerificationResult result = await trail.VerifyAsync();
            Console.WriteLine($"verified {result.RecordsChecked} records: {result.IsValid}");
        }

        public partial class ConsumerTools
        {
            [AuditedTool(Domains = ComplianceDomain.Soc2)]
            [Description("Greets someone.")]
            public string Greet([DataClassification(DataClass.Internal)] string who) => "hello " + who;

            [Description("A tool nobody audits.")]
            public string Forgotten() => "";
        }
        """;

    [Fact]
    public async Task A_fresh_console_project_referencing_the_package_gets_the_wrapper_the_runtime_and_the_analyzers()
    {
        using var temp = new TempFolder();
        string feed = temp.Combine("feed");
        (int packExit, string packOutput) = await Dotnet.RunAsync(
            Dotnet.RepositoryRoot,
            "pack", Path.Combine("src", "AuditGen.Package", "AuditGen.Package.csproj"), "--no-build", "-p:BuildProjectReferences=false", "-c", Dotnet.Configuration, "-o", feed);
        Assert.True(packExit == 0, packOutput);

        string consumer = WriteConsumer(temp, feed);
        string[] isolated =
        [
            "--disable-build-servers", "-nodeReuse:false", "-p:TreatWarningsAsErrors=false",
            // AuditGen is restored into this test's own folder, so a previous run's 0.1.0 can never be reused.
            "-p:RestorePackagesPath=" + temp.Combine("packages"),
            "-p:RestoreAdditionalProjectFallbackFolders=" + GlobalPackagesFolder(),
        ];
        (int buildExit, string buildOutput) = await Dotnet.RunAsync(consumer, ["build", .. isolated]);

        Assert.True(buildExit == 0, buildOutput);
        Assert.Contains("warning AUDIT001: The tool method 'ConsumerTools.Forgotten' is not audited", buildOutput);
        Assert.True(File.Exists(temp.Combine("packages", "auditgen", "0.1.0", "analyzers", "dotnet", "cs", "AuditGen.CodeFixes.dll")), "the code fixes are not in the package");
        Assert.Single(Directory.GetFiles(Path.Combine(consumer, "obj"), "ConsumerTools.Audited.g.cs", SearchOption.AllDirectories));

        (int runExit, string runOutput) = await Dotnet.RunAsync(consumer, "bin/Debug/net10.0/Consumer.dll", temp.Path);
        Assert.True(runExit == 0, runOutput);
        Assert.Contains("hello Ada", runOutput);
        Assert.Contains("verified 2 records: True", runOutput);

        // The package's MSBuild switch makes AuditGen's warnings errors.
        (int strictExit, string strictOutput) = await Dotnet.RunAsync(consumer, ["build", "--no-incremental", .. isolated, "-p:AuditGenWarningsAsErrors=true"]);
        Assert.True(strictExit != 0, strictOutput);
        Assert.Contains("error AUDIT001: The tool method 'ConsumerTools.Forgotten' is not audited", strictOutput);
    }

    [Fact]
    public void The_package_depends_on_every_package_the_runtime_and_the_abstractions_depend_on()
    {
        HashSet<string> declared = PackageReferences(Path.Combine("src", "AuditGen.Package", "AuditGen.Package.csproj"));

        foreach (string project in new[] { Path.Combine("src", "AuditGen", "AuditGen.csproj"), Path.Combine("src", "AuditGen.Abstractions", "AuditGen.Abstractions.csproj") })
        {
            foreach (string package in PackageReferences(project))
            {
                Assert.True(declared.Contains(package), project + " depends on " + package + ", which src/AuditGen.Package does not declare: the package would miss it");
            }
        }
    }

    private static HashSet<string> PackageReferences(string project)
        => XDocument.Load(Path.Combine(Dotnet.RepositoryRoot, project))
            .Descendants("PackageReference")
            .Where(e => e.Attribute("PrivateAssets")?.Value != "all")
            .Select(e => e.Attribute("Include")!.Value)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>A console project in its own folder; restore sees the feed (AuditGen only) and the machine's usual sources (all else).</summary>
    private static string WriteConsumer(TempFolder temp, string feed)
    {
        string folder = Directory.CreateDirectory(temp.Combine("Consumer")).FullName;
        File.WriteAllText(temp.Combine("Directory.Build.props"), "<Project />");
        File.WriteAllText(temp.Combine("Directory.Build.targets"), "<Project />");
        File.WriteAllText(temp.Combine("Directory.Packages.props"), "<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>");
        File.WriteAllText(Path.Combine(folder, "Consumer.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AuditGen" Version="0.1.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Program.cs"), ConsumerProgram);

        var sources = MachineSources();
        var config = new XElement("configuration",
            new XElement("packageSources",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "auditgen-feed"), new XAttribute("value", feed)),
                sources.Select(s => new XElement("add", new XAttribute("key", s.Key), new XAttribute("value", s.Value)))),
            new XElement("packageSourceMapping",
                new XElement("packageSource", new XAttribute("key", "auditgen-feed"), new XElement("package", new XAttribute("pattern", "AuditGen"))),
                sources.Select(s => new XElement("packageSource", new XAttribute("key", s.Key), new XElement("package", new XAttribute("pattern", "*"))))));
        config.Save(temp.Combine("nuget.config"));
        return folder;
    }

    /// <summary>The enabled package sources of this machine's user-level NuGet.Config (nuget.org when there is none).</summary>
    private static List<KeyValuePair<string, string>> MachineSources()
    {
        string path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        var sources = new List<KeyValuePair<string, string>>();
        if (File.Exists(path))
        {
            XElement root = XDocument.Load(path).Root!;
            var disabled = root.Element("disabledPackageSources")?.Elements("add")
                .Where(e => string.Equals(e.Attribute("value")?.Value, "true", StringComparison.OrdinalIgnoreCase))
                .Select(e => e.Attribute("key")!.Value)
                .ToHashSet() ?? [];
            foreach (XElement add in root.Element("packageSources")?.Elements("add") ?? [])
            {
                if (add.Attribute("key")?.Value is { } key && add.Attribute("value")?.Value is { } value && !disabled.Contains(key))
                {
                    sources.Add(new(key, value));
                }
            }
        }

        if (sources.Count == 0)
        {
            sources.Add(new("nuget.org", "https://api.nuget.org/v3/index.json"));
        }

        return sources;
    }

    private static string GlobalPackagesFolder()
        => Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
