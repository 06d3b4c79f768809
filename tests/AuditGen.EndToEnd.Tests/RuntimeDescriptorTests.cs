using System.Reflection;

namespace AuditGen.EndToEnd.Tests;

/// <summary>The runtime paths read AuditGen's attributes by the generator's rules: their descriptors equal the generated ones.</summary>
public sealed class RuntimeDescriptorTests
{
    public static TheoryData<string> GeneratedTools() => [.. AuditedClinicTools.Tools.Concat(AuditedWardTools.Tools).Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(GeneratedTools))]
    public void A_descriptor_built_at_run_time_equals_the_generated_one(string toolName)
    {
        var generated = AuditedClinicTools.Tools.Concat(AuditedWardTools.Tools).Single(t => t.Name == toolName);
        var type = AuditedClinicTools.Tools.Contains(generated) ? typeof(ClinicTools) : typeof(WardTools);
        var method = type.GetMethods().Single(m => m.Name == generated.MethodName && m.GetCustomAttribute<AuditedToolAttribute>() is { } a
            && (a.Name ?? generated.Name) == generated.Name);
        if (method.IsGenericMethodDefinition)
            method = method.MakeGenericMethod(typeof(int));

        var runtime = RuntimeTool.ForMethod(method)!.Descriptor;

        Assert.Equal(
            (generated.Name, generated.ContainingType, generated.MethodName, generated.Description, generated.Action, generated.ResourceType,
             generated.Classification, generated.Domains, generated.FailurePolicy, generated.Returns.Classification, generated.Returns.Redaction),
            (runtime.Name, runtime.ContainingType, runtime.MethodName, runtime.Description, runtime.Action, runtime.ResourceType,
             runtime.Classification, runtime.Domains, runtime.FailurePolicy, runtime.Returns.Classification, runtime.Returns.Redaction));
        Assert.Equal(Shape(generated.Parameters), Shape(runtime.Parameters));
        if (!method.IsGenericMethod)
        {
            Assert.Equal(generated.Parameters.Select(p => p.TypeName), runtime.Parameters.Select(p => p.TypeName));
            Assert.Equal(generated.Returns.TypeName, runtime.Returns.TypeName);
        }
    }

    private static string Shape(IReadOnlyList<ToolParameter> parameters) =>
        string.Join("; ", parameters.Select(p => $"{p.Name}:{p.Classification}:{p.Redaction}:{p.Role}[{Shape(p.Properties)}]"));
}
