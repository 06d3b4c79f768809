using static AuditGen.DynamicProxy.Tests.ProxyTestSupport;

namespace AuditGen.DynamicProxy.Tests;

public sealed class ClassProxyTests
{
    [Fact]
    public void A_class_proxy_audits_its_virtual_tools_around_the_base_implementation()
    {
        var trail = Trail();

        var pharmacy = AuditProxy.CreateClassProxy<Pharmacy>(trail, null, "north");

        Assert.Equal("north: 30 sent", pharmacy.Refill("MRN-3131", 30));
        Assert.Equal("9-5", pharmacy.Hours());
        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], trail.Appended.Select(e => e.Action));
        Assert.All(trail.Appended, e =>
        {
            Assert.Equal("refill", e.ToolName);
            Assert.Equal(DataClass.Restricted, e.Classification);
            Assert.DoesNotContain("MRN-3131", e.Details);
        });
        Assert.Equal("[erased]", ProxyTestSupport.Details(trail.Appended[1]).GetProperty("result").GetString());
    }

    [Fact]
    public void A_class_whose_audited_tool_is_not_virtual_is_refused_with_the_method_named()
    {
        var error = Assert.Throws<ArgumentException>(() => AuditProxy.CreateClassProxy<SealedTool>(Trail()));

        Assert.Contains("NotVirtual", error.Message);
        Assert.Contains("not virtual", error.Message);
    }
}
