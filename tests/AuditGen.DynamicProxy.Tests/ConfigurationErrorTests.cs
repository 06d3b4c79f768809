using static AuditGen.DynamicProxy.Tests.ProxyTestSupport;

namespace AuditGen.DynamicProxy.Tests;

public sealed class ConfigurationErrorTests
{
    [Fact]
    public void A_map_entry_that_matches_no_method_is_refused_when_the_proxy_is_created()
    {
        var options = VendorMap();
        options.Tool("lookup_patinet").Classify("mrn", DataClass.Restricted);

        var error = Assert.Throws<ArgumentException>(() => AuditProxy.Create<IPatientApi>(new VendorPatientApi(), Trail(), options));

        Assert.Contains("'lookup_patinet'", error.Message);
    }

    [Fact]
    public void A_map_entry_naming_a_parameter_the_method_lacks_is_refused_with_the_name()
    {
        var options = new AuditProxyOptions();
        options.Tool("LookupPatientAsync").Classify("patientId", DataClass.Restricted);

        var error = Assert.Throws<ArgumentException>(() => AuditProxy.Create<IPatientApi>(new VendorPatientApi(), Trail(), options));

        Assert.Contains("'patientId'", error.Message);
    }

    [Fact]
    public void A_tool_with_an_out_parameter_is_refused_as_the_generator_refuses_it()
    {
        var error = Assert.Throws<NotSupportedException>(() => AuditProxy.Create<IBadShape>(new BadShape(), Trail()));

        Assert.Contains("passed by reference", error.Message);
    }

    [Fact]
    public void A_class_type_given_as_the_interface_is_refused()
    {
        Assert.Throws<ArgumentException>(() => AuditProxy.Create(new Pharmacy("x"), Trail()));
    }

    [Fact]
    public void An_undefined_classification_in_the_map_is_refused_at_once()
    {
        var options = new AuditProxyOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.Tool("ping").Classify("ward", (DataClass)42));
    }
}
