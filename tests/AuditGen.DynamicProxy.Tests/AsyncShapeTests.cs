using System.Reflection;
using static AuditGen.DynamicProxy.Tests.ProxyTestSupport;

namespace AuditGen.DynamicProxy.Tests;

/// <summary>Every awaitable shape, async or not, succeeds and fails as the target does and is recorded exactly once.</summary>
public sealed class AsyncShapeTests
{
    public static TheoryData<string> Methods() =>
    [
        nameof(IShapes.PlainTask), nameof(IShapes.AsyncTask), nameof(IShapes.PlainTaskOfT), nameof(IShapes.AsyncTaskOfT),
        nameof(IShapes.PlainValueTask), nameof(IShapes.AsyncValueTask), nameof(IShapes.PlainValueTaskOfT), nameof(IShapes.AsyncValueTaskOfT),
        nameof(IShapes.Sync), nameof(IShapes.SyncVoid),
    ];

    private static async Task CallAsync(IShapes shapes, string method)
    {
        var result = typeof(IShapes).GetMethod(method)!.Invoke(shapes, ["north"]);
        switch (result)
        {
            case Task task: await task; break;
            case ValueTask valueTask: await valueTask; break;
            case ValueTask<int> valueTaskOfT: await valueTaskOfT; break;
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task A_successful_call_records_invoked_then_completed_with_the_result(string method)
    {
        var trail = Trail();
        var target = new Shapes();

        await CallAsync(AuditProxy.Create<IShapes>(target, trail), method);

        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolCompleted], trail.Appended.Select(e => e.Action));
        var hasResult = typeof(IShapes).GetMethod(method)!.ReturnType is { IsGenericType: true } or { Name: "Int32" };
        Assert.Equal(hasResult, Details(trail.Appended[1]).TryGetProperty("result", out var result));
        if (hasResult)
            Assert.Equal(5, result.GetInt32());
        Assert.Equal(1, target.Calls);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task A_target_failing_after_its_call_returned_is_recorded_as_failed_and_the_caller_gets_its_exception(string method)
    {
        var trail = Trail();

        var thrown = await Record.ExceptionAsync(() => CallAsync(AuditProxy.Create<IShapes>(new Shapes(fail: true), trail), method));

        Assert.IsType<InvalidOperationException>(Unwrap(thrown));
        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolFailed], trail.Appended.Select(e => e.Action));
        Assert.Equal(typeof(InvalidOperationException).FullName, trail.Appended[1].Error!.Type);
        Assert.Equal(AuditOutcome.Failure, trail.Appended[1].Outcome);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task A_target_throwing_synchronously_is_recorded_as_failed(string method)
    {
        var trail = Trail();

        var thrown = await Record.ExceptionAsync(() => CallAsync(AuditProxy.Create<IShapes>(new Shapes(fail: true, failSynchronously: true), trail), method));

        Assert.IsType<InvalidOperationException>(Unwrap(thrown));
        Assert.Equal([AuditAction.ToolInvoked, AuditAction.ToolFailed], trail.Appended.Select(e => e.Action));
    }

    [Theory]
    [InlineData(nameof(IShapes.PlainTask))]
    [InlineData(nameof(IShapes.PlainTaskOfT))]
    [InlineData(nameof(IShapes.PlainValueTask))]
    [InlineData(nameof(IShapes.PlainValueTaskOfT))]
    public void A_synchronous_throw_from_a_task_returning_method_surfaces_from_the_returned_task_as_the_generated_wrapper_does(string method)
    {
        var trail = Trail();
        var shapes = AuditProxy.Create<IShapes>(new Shapes(fail: true, failSynchronously: true), trail);

        var returned = typeof(IShapes).GetMethod(method)!.Invoke(shapes, ["north"]);

        var faulted = returned switch
        {
            Task task => task.IsFaulted,
            ValueTask valueTask => valueTask.IsFaulted,
            ValueTask<int> valueTaskOfT => valueTaskOfT.IsFaulted,
            _ => false,
        };
        Assert.True(faulted);
    }

    [Fact]
    public async Task A_cancelled_call_is_recorded_as_failed_with_the_cancellation_and_the_caller_sees_a_cancelled_task()
    {
        var trail = Trail();
        var api = AuditProxy.Create<IPatientApi>(new CancellableApi(), trail, VendorMap());
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var call = api.LookupPatientAsync(VendorPatientApi.KnownMrn, cancellation.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(call.IsCanceled);
        var failed = Assert.Single(trail.Appended, e => e.Action == AuditAction.ToolFailed);
        Assert.Equal(typeof(TaskCanceledException).FullName, failed.Error!.Type);
        var arguments = Details(trail.Appended[0]).GetProperty("arguments");
        Assert.False(arguments.TryGetProperty("cancellationToken", out _));
    }

    private static Exception? Unwrap(Exception? exception) => exception is TargetInvocationException { InnerException: { } inner } ? inner : exception;

    private sealed class CancellableApi : IPatientApi
    {
        public string Greeting => "hello";

        public async Task<Patient> LookupPatientAsync(string mrn, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return new Patient(mrn, "never");
        }

        public string Ping(string ward) => ward;
    }
}
