using System.Reflection;
using AuditGen;

namespace HealthcareAgent.Tests;

/// <summary>The audited wrapper's manifest says exactly what the attributes on <see cref="PatientTools"/> say.</summary>
public sealed class ManifestTests
{
    private static IEnumerable<MethodInfo> AuditedMethods() =>
        typeof(PatientTools).GetMethods().Where(m => m.GetCustomAttribute<AuditedToolAttribute>() is not null);

    [Fact]
    public void Every_audited_tool_method_has_exactly_one_descriptor()
    {
        Assert.Equal(
            AuditedMethods().Select(m => m.Name).Order(),
            AuditedPatientTools.Tools.Select(t => t.MethodName).Order());
    }

    [Fact]
    public void Descriptors_carry_the_declared_resource_domains_action_classification_and_policy()
    {
        Assert.All(AuditedMethods(), method =>
        {
            var declared = method.GetCustomAttribute<AuditedToolAttribute>()!;
            var tool = AuditedPatientTools.Tools.Single(t => t.MethodName == method.Name);
            Assert.Equal(declared.ResourceType, tool.ResourceType);
            Assert.Equal(declared.Domains, tool.Domains);
            Assert.Equal(declared.Action, tool.Action);
            Assert.Equal(declared.Classification, tool.Classification);
            Assert.Equal(declared.FailurePolicy, tool.FailurePolicy);
            Assert.Equal(method.GetCustomAttribute<System.ComponentModel.DescriptionAttribute>()!.Description, tool.Description);
        });
    }

    [Fact]
    public void Descriptor_parameters_match_the_declared_classification_redaction_and_role()
    {
        Assert.All(AuditedMethods(), method =>
        {
            var tool = AuditedPatientTools.Tools.Single(t => t.MethodName == method.Name);
            var parameters = method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)).ToList();
            Assert.Equal(parameters.Select(p => p.Name), tool.Parameters.Select(p => p.Name));
            foreach (var (parameter, described) in parameters.Zip(tool.Parameters))
            {
                Assert.Equal(parameter.GetCustomAttribute<DataClassificationAttribute>()?.DataClass, described.Classification);
                Assert.Equal(parameter.GetCustomAttribute<RedactAttribute>()?.Strategy, described.Redaction);
                var role = parameter.GetCustomAttribute<SubjectIdAttribute>() is not null ? ToolParameterRole.SubjectId
                    : parameter.GetCustomAttribute<ResourceIdAttribute>() is not null ? ToolParameterRole.ResourceId
                    : ToolParameterRole.None;
                Assert.Equal(role, described.Role);
            }
        });
    }

    [Fact]
    public void Every_tool_parameter_is_classified()
    {
        Assert.All(AuditedMethods().SelectMany(m => m.GetParameters()).Where(p => p.ParameterType != typeof(CancellationToken)),
            parameter => Assert.NotNull(parameter.GetCustomAttribute<DataClassificationAttribute>()));
    }
}
