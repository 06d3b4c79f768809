using System.Reflection;
using MsDataClassificationAttribute = Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute;

namespace AuditGen.Abstractions.Tests;

public sealed class ClassificationAttributeTests
{
    private static void Lookup([DataClassification(DataClass.Restricted)] string mrn) { }

    [Fact]
    public void An_AuditGen_classification_is_a_Microsoft_Extensions_Compliance_classification_in_the_AuditGen_taxonomy()
    {
        var parameter = typeof(ClassificationAttributeTests).GetMethod(nameof(Lookup), BindingFlags.NonPublic | BindingFlags.Static)!.GetParameters()[0];

        var attribute = parameter.GetCustomAttribute<MsDataClassificationAttribute>();

        Assert.IsType<DataClassificationAttribute>(attribute);
        Assert.Equal(AuditTaxonomy.Name, attribute!.Classification.TaxonomyName);
        Assert.Equal(nameof(DataClass.Restricted), attribute.Classification.Value);
        Assert.Equal(DataClass.Restricted, ((DataClassificationAttribute)attribute).DataClass);
    }

    [Fact]
    public void Each_data_class_maps_to_its_own_taxonomy_value()
    {
        var values = Enum.GetValues<DataClass>().Select(AuditTaxonomy.For).ToArray();

        Assert.Equal(values.Length, values.Distinct().Count());
        Assert.All(values, v => Assert.Equal(AuditTaxonomy.Name, v.TaxonomyName));
    }

    [Fact]
    public void Audited_tool_names_are_optional_and_kept_when_given()
    {
        Assert.Null(new AuditedToolAttribute().Name);
        Assert.Equal("lookup_patient", new AuditedToolAttribute("lookup_patient").Name);
        Assert.Equal(AuditAction.ToolInvoked, new AuditedToolAttribute().Action);
        Assert.Equal("needed for health checks", new NotAuditedAttribute("needed for health checks").Justification);
    }
}
