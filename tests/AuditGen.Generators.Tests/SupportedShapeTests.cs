using Microsoft.CodeAnalysis;

namespace AuditGen.Generators.Tests;

/// <summary>Every supported shape yields a wrapper that compiles without a single warning and mirrors the tool's signature.</summary>
public class SupportedShapeTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.ComponentModel;
        using System.Threading;
        using System.Threading.Tasks;
        using AuditGen;

        """;

    public static TheoryData<string, string, string> Shapes => new()
    {
        { "sync void", "Shapes.AuditedTools", "namespace Shapes; public partial class Tools { [AuditedTool] public void Ping(int a) { } }" },
        { "sync value", "Shapes.AuditedTools", "namespace Shapes; public partial class Tools { [AuditedTool] public int Count(string s) => s.Length; }" },
        { "Task", "Shapes.AuditedTools", "namespace Shapes; public partial class Tools { [AuditedTool] public Task SaveAsync(string s) => Task.CompletedTask; }" },
        { "Task<T>", "Shapes.AuditedTools", "namespace Shapes; public partial class Tools { [AuditedTool] public Task<string> LoadAsync(int id) => Task.FromResult(id.ToString()); }" },
        { "ValueTask", "Shapes.AuditedTools", "namespace Shapes; public partial class Tools { [AuditedTool] public ValueTask FlushAsync() => default; }" },
        { "ValueTask<T>", "Shapes.AuditedTools", "namespace Shapes; public partial class Tools { [AuditedTool] public ValueTask<int> SizeAsync() => new(1); }" },
        { "CancellationToken", "Shapes.AuditedTools", "namespace Shapes; public partial class Tools { [AuditedTool] public Task<int> FindAsync(string q, CancellationToken cancellationToken = default) => Task.FromResult(1); [AuditedTool] public void Wait(CancellationToken token) { } }" },
        { "default values", "Shapes.AuditedTools", """
            namespace Shapes;
            public enum Color { Red = 1, Green = 2 }
            [Flags] public enum Perm { None = 0, Read = 1, Write = 2 }
            public partial class Tools
            {
                [AuditedTool]
                public int Defaults(Color c = Color.Green, Perm p = Perm.Read | Perm.Write, Perm q = (Perm)8, Color? nc = Color.Red, Color neg = (Color)(-1),
                    string s = "quote\" slash\\ newline\n tab\t unicode\u00e9", string? n = null, object? o = null, decimal m = 1.50m, float f = 0.1f, double d = 1e20,
                    double nan = double.NaN, long l = long.MinValue, ulong ul = ulong.MaxValue, uint u = 3, short sh = -7, byte by = 255, char ch = '\'',
                    bool b = true, DateTime dt = default, int? ni = null, int @event = 2) => 1;
            }
            """ },
        { "params", "Shapes.AuditedTools", "namespace Shapes; public partial class Tools { [AuditedTool] public int Sum(string label, params int[] values) => values.Length; }" },
        { "generic method", "Shapes.AuditedTools", """
            namespace Shapes;
            public partial class Tools
            {
                [AuditedTool] public T Pick<T, U>(T value, U other) where T : class, IComparable<T>, new() where U : struct => value;
                [AuditedTool] public Task<TItem?> FirstAsync<TItem>(IReadOnlyList<TItem> items) where TItem : notnull => Task.FromResult<TItem?>(default);
                [AuditedTool] public int Size<TValue>(TValue value) where TValue : unmanaged => 1;
            }
            """ },
        { "nested type", "Shapes.Outer+Middle+AuditedTools", """
            namespace Shapes;
            public partial class Outer { internal partial record Middle { public partial class Tools { [AuditedTool] public int Count() => 1; } } }
            """ },
        { "generic type", "Shapes.AuditedRepository`1", """
            namespace Shapes;
            public partial class Repository<TEntity> where TEntity : class, new()
            {
                [AuditedTool] public Task<TEntity?> FindAsync(int id, CancellationToken cancellationToken) => Task.FromResult<TEntity?>(null);
            }
            """ },
        { "nested in a generic type", "Shapes.Outer`1+AuditedInner`1", """
            namespace Shapes;
            public partial class Outer<TOuter> { internal partial struct Inner<T> where T : notnull { [AuditedTool] public T Echo(T value, TOuter other) => value; } }
            """ },
        { "overloads", "Shapes.AuditedTools", """
            namespace Shapes;
            public partial class Tools
            {
                [AuditedTool("find_by_id")] public string Find(int id) => "";
                [AuditedTool("find_by_name")] public string Find(string name) => name;
            }
            """ },
        { "records and classes as arguments", "Shapes.AuditedTools", """
            namespace Shapes;
            public sealed record Order([property: DataClassification(DataClass.Confidential)] string Account, decimal Amount);
            public record Patient([DataClassification(DataClass.Restricted)] string Mrn, [SubjectId] string Id);
            public class Note { [Redact(RedactionStrategy.Mask)] public string Text { get; set; } = ""; public int Length => Text.Length; }
            public struct Point { [ResourceId] public int X { get; set; } public int Y { get; set; } }
            public partial class Tools
            {
                [AuditedTool] public void Place(Order order, Order? maybe, Patient patient, Note note, Point point, Point? maybePoint) { }
            }
            """ },
        { "nullable reference and value types", "Shapes.AuditedTools", """
            namespace Shapes;
            public partial class Tools
            {
                [AuditedTool] public string? Describe(string? text, int? count, List<string?>? items) => text;
                [AuditedTool] public Task<int?> MaybeAsync(DateTime? when) => Task.FromResult<int?>(null);
            }
            """ },
        { "global namespace", "AuditedTools", "public partial class Tools { [AuditedTool] public void Ping() { } }" },
        { "block namespace", "Deep.Name.Space.AuditedTools", "namespace Deep.Name.Space { public partial class Tools { [AuditedTool] public void Ping() { } } }" },
        { "internal record struct", "Shapes.AuditedTools", "namespace Shapes; internal partial record struct Tools(int Seed) { [AuditedTool] public int Next() => Seed + 1; }" },
        { "interfaces", "Shapes.AuditedTools", """
            namespace Shapes;
            public interface IRepository<T> { T Get(int id); string Name { get; set; } int this[int i] { get; } event EventHandler? Changed; void Touch(ref int x); }
            public interface ICounter { Task<int> CountAsync(string filter, CancellationToken cancellationToken = default); }
            public interface IDerived : ICounter { int Version { get; } }
            public partial class Tools : IRepository<string>, IDerived, IDisposable
            {
                [AuditedTool] public Task<int> CountAsync(string filter, CancellationToken cancellationToken = default) => Task.FromResult(1);
                public string Get(int id) => "";
                public string Name { get; set; } = "";
                public int this[int i] => i;
                public event EventHandler? Changed;
                public void Touch(ref int x) => Changed?.Invoke(this, EventArgs.Empty);
                public int Version => 1;
                public void Dispose() { }
            }
            """ },
        { "descriptions and awkward parameter names", "Shapes.AuditedTools", """
            namespace Shapes;
            public partial class Tools
            {
                [AuditedTool, Description("Counts \"things\".")]
                public int Count([Description("What to count.")] string @class, int result, int invocation, int ex, int _inner) => result;
            }
            """ },
        { "two types in one file, one of them split across partial declarations", "Shapes.AuditedSecond", """
            namespace Shapes;
            public partial class First { [AuditedTool] public void A() { } }
            public partial class Second { [AuditedTool] public void B() { } }
            public partial class Second { [AuditedTool] public void C() { } }
            """ },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_wrapper_of_a_supported_shape_compiles_without_any_warning(string shape, string wrapperMetadataName, string source)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + source);

        Assert.True(run.Generator.Exception is null, shape + ": " + run.Generator.Exception);
        Assert.Empty(run.Shape());
        Assert.Empty(run.WarningsAndErrors);
        Assert.NotNull(run.Output.GetTypeByMetadataName(wrapperMetadataName));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_wrapper_exposes_every_tool_with_exactly_the_same_signature(string shape, string wrapperMetadataName, string source)
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + source);
        INamedTypeSymbol wrapper = run.Type(wrapperMetadataName);
        INamedTypeSymbol inner = run.Type(wrapperMetadataName.Replace("Audited", string.Empty));

        var tools = inner.GetMembers().OfType<IMethodSymbol>().Where(m => m.GetAttributes().Any(a => a.AttributeClass?.Name == "AuditedToolAttribute")).ToList();
        Assert.NotEmpty(tools);
        foreach (IMethodSymbol tool in tools)
        {
            IMethodSymbol? match = wrapper.GetMembers(tool.Name).OfType<IMethodSymbol>().SingleOrDefault(m => Signature(m) == Signature(tool));
            Assert.True(match is not null, shape + ": no wrapper method " + Signature(tool) + " among " + string.Join(", ", wrapper.GetMembers(tool.Name).OfType<IMethodSymbol>().Select(Signature)));
            Assert.Equal(Descriptions(tool), Descriptions(match!));
            Assert.Equal(tool.Parameters.Select(Descriptions), match!.Parameters.Select(Descriptions));
        }
    }

    [Fact]
    public void Interface_members_that_are_tools_route_through_the_audit_and_the_rest_delegate_to_the_inner_instance()
    {
        GeneratorRun run = GeneratorHarness.Run(Usings + Shapes.Single(s => (string)s[0] == "interfaces")[2]);
        string wrapper = run.Source("Shapes.Tools.Audited.g.cs");

        Assert.Contains("public sealed class AuditedTools : global::Shapes.IRepository<string>, global::Shapes.IDerived, global::Shapes.ICounter, global::System.IDisposable", wrapper);
        Assert.Contains("global::System.Threading.Tasks.Task<int> global::Shapes.ICounter.CountAsync(string filter, global::System.Threading.CancellationToken cancellationToken)\n            => this.CountAsync(filter, cancellationToken);", wrapper);
        Assert.Contains("=> ((global::Shapes.IRepository<string>)_inner).Get(id);", wrapper);
        Assert.Contains("=> ((global::Shapes.IRepository<string>)_inner).Touch(ref x);", wrapper);
        Assert.Contains("set => ((global::Shapes.IRepository<string>)_inner).Name = value;", wrapper);
        Assert.Contains("get => ((global::Shapes.IRepository<string>)_inner)[i];", wrapper);
        Assert.Contains("add => ((global::Shapes.IRepository<string>)_inner).Changed += value;", wrapper);
        Assert.Contains("get => ((global::Shapes.IDerived)_inner).Version;", wrapper);
        Assert.Contains("=> ((global::System.IDisposable)_inner).Dispose();", wrapper);
    }

    private static string Signature(IMethodSymbol method)
        => (method.ReturnsVoid ? "void" : method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier)))
           + " " + method.Name + "<" + string.Join(",", method.TypeParameters.Select(t => t.Name + ":" + Constraints(t))) + ">("
           + string.Join(", ", method.Parameters.Select(p =>
               (p.IsParams ? "params " : "") + p.RefKind + " "
               + p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier))
               + " " + p.Name
               + (p.HasExplicitDefaultValue ? " = " + (p.ExplicitDefaultValue is double d && double.IsNaN(d) ? "NaN" : Convert.ToString(p.ExplicitDefaultValue, System.Globalization.CultureInfo.InvariantCulture) ?? "null") : "")))
           + ") " + method.DeclaredAccessibility;

    private static string Constraints(ITypeParameterSymbol t)
        => $"{t.HasReferenceTypeConstraint}{t.HasValueTypeConstraint}{t.HasUnmanagedTypeConstraint}{t.HasNotNullConstraint}{t.HasConstructorConstraint}"
           + string.Join("&", t.ConstraintTypes.Select(c => c.Name));

    private static string[] Descriptions(ISymbol symbol)
        => symbol.GetAttributes()
            .Where(a => a.AttributeClass?.ToDisplayString() == "System.ComponentModel.DescriptionAttribute")
            .Select(a => (string?)a.ConstructorArguments.FirstOrDefault().Value ?? "")
            .ToArray();
}
