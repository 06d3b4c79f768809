using static AuditGen.DynamicProxy.Tests.ProxyTestSupport;

namespace AuditGen.DynamicProxy.Tests;

public sealed class FailurePolicyTests
{
    private sealed class StoreDown() : IOException("disk full");

    [Fact]
    public async Task Fail_closed_the_target_runs_only_after_tool_invoked_is_durable()
    {
        var trail = Trail();
        var vendor = new VendorPatientApi();
        var api = AuditProxy.Create<IPatientApi>(vendor, trail, VendorMap()); // restricted: fail-closed by default
        trail.HoldAppends();

        var call = api.LookupPatientAsync(VendorPatientApi.KnownMrn);

        Assert.Equal([AuditAction.ToolInvoked], trail.Appended.Select(e => e.Action));
        Assert.Equal(0, vendor.Calls);
        Assert.False(call.IsCompleted);
        trail.ReleaseAppends();
        await call;
        Assert.Equal(1, vendor.Calls);
        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], trail.Acknowledged.Select(r => r.Action));
    }

    [Fact]
    public async Task Fail_closed_the_target_never_runs_when_tool_invoked_cannot_be_made_durable()
    {
        var trail = Trail();
        trail.FailAppendsWith(_ => new StoreDown());
        var vendor = new VendorPatientApi();
        var api = AuditProxy.Create<IPatientApi>(vendor, trail, VendorMap());

        var error = await Assert.ThrowsAsync<AuditTrailException>(() => api.LookupPatientAsync(VendorPatientApi.KnownMrn));

        Assert.Equal(0, vendor.Calls);
        Assert.Contains("was not run", error.Message);
        Assert.IsType<StoreDown>(error.InnerException);
    }

    [Fact]
    public void Fail_closed_a_synchronous_tool_never_runs_when_tool_invoked_cannot_be_made_durable()
    {
        var trail = Trail(AuditFailurePolicy.FailClosed);
        trail.FailAppendsWith(_ => new StoreDown());
        var target = new Shapes();

        Assert.Throws<AuditTrailException>(() => AuditProxy.Create<IShapes>(target, trail).Sync("north"));

        Assert.Equal(0, target.Calls);
    }

    [Fact]
    public async Task Fail_open_the_target_runs_while_the_record_is_pending()
    {
        var trail = Trail(AuditFailurePolicy.FailOpen);
        var target = new Shapes();
        trail.HoldAppends();

        var length = await AuditProxy.Create<IShapes>(target, trail).PlainTaskOfT("north");

        Assert.Equal(5, length);
        Assert.Equal(1, target.Calls);
        Assert.Empty(trail.Acknowledged);
        trail.ReleaseAppends();
        await trail.FlushAsync();
        Assert.Equal(2, trail.Acknowledged.Count);
    }
}
