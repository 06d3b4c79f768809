using System.Reflection;
using Castle.DynamicProxy;

namespace AuditGen.DynamicProxy;

/// <summary>
/// One audited method: drives <see cref="ToolInvocation"/> in the generated wrapper's order. An asynchronous method is
/// audited inside a task of the method's own return type, so everything the wrapper does inside its <c>async</c> body
/// (capture, <c>tool_invoked</c> — awaited durably under fail-closed before the target runs — the call, the
/// completion) happens in the same order, and an exception the target throws synchronously surfaces from the returned
/// task, as it does from the wrapper.
/// </summary>
internal sealed class InterceptedMethod
{
    private readonly Func<IInvocation, IAuditTrail, RuntimeTool, object>? _runAsync;

    public InterceptedMethod(RuntimeTool tool)
    {
        Tool = tool;
        _runAsync = tool.ReturnKind switch
        {
            ToolReturnKind.Task => RunTaskAsync,
            ToolReturnKind.ValueTask => static (i, t, r) => RunValueTaskAsync(i, t, r),
            ToolReturnKind.TaskOfT => Runner(nameof(RunTaskOfTAsync), tool.ResultType!),
            ToolReturnKind.ValueTaskOfT => Runner(nameof(RunValueTaskOfTAsync), tool.ResultType!),
            _ => null,
        };
    }

    public RuntimeTool Tool { get; }

    public void Intercept(IInvocation invocation, IAuditTrail trail)
    {
        if (_runAsync is not null)
        {
            invocation.ReturnValue = _runAsync(invocation, trail, Tool);
            return;
        }

        var audit = ToolInvocation.Start(trail, Tool.Descriptor);
        Tool.CaptureArguments(audit, invocation.Arguments);
        audit.Invoked();
        try
        {
            invocation.Proceed();
        }
        catch (Exception ex)
        {
            audit.Failed(ex);
            throw;
        }

        Tool.Completed(audit, invocation.ReturnValue);
    }

    private static Func<IInvocation, IAuditTrail, RuntimeTool, object> Runner(string name, Type resultType) =>
        typeof(InterceptedMethod).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(resultType)
            .CreateDelegate<Func<IInvocation, IAuditTrail, RuntimeTool, object>>();

    private static ToolInvocation Begin(IInvocation invocation, IAuditTrail trail, RuntimeTool tool)
    {
        var audit = ToolInvocation.Start(trail, tool.Descriptor);
        tool.CaptureArguments(audit, invocation.Arguments);
        return audit;
    }

    private static async Task RunTaskAsync(IInvocation invocation, IAuditTrail trail, RuntimeTool tool)
    {
        var proceed = invocation.CaptureProceedInfo();
        var audit = Begin(invocation, trail, tool);
        await audit.InvokedAsync().ConfigureAwait(false);
        try
        {
            proceed.Invoke();
            await ((Task)invocation.ReturnValue!).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await audit.FailedAsync(ex).ConfigureAwait(false);
            throw;
        }

        await audit.CompletedAsync().ConfigureAwait(false);
    }

    private static async ValueTask RunValueTaskAsync(IInvocation invocation, IAuditTrail trail, RuntimeTool tool)
    {
        var proceed = invocation.CaptureProceedInfo();
        var audit = Begin(invocation, trail, tool);
        await audit.InvokedAsync().ConfigureAwait(false);
        try
        {
            proceed.Invoke();
            await ((ValueTask)invocation.ReturnValue!).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await audit.FailedAsync(ex).ConfigureAwait(false);
            throw;
        }

        await audit.CompletedAsync().ConfigureAwait(false);
    }

    private static object RunTaskOfTAsync<T>(IInvocation invocation, IAuditTrail trail, RuntimeTool tool) => TaskOfT<T>(invocation, trail, tool);

    private static object RunValueTaskOfTAsync<T>(IInvocation invocation, IAuditTrail trail, RuntimeTool tool) => ValueTaskOfT<T>(invocation, trail, tool);

    private static async Task<T> TaskOfT<T>(IInvocation invocation, IAuditTrail trail, RuntimeTool tool)
    {
        var proceed = invocation.CaptureProceedInfo();
        var audit = Begin(invocation, trail, tool);
        await audit.InvokedAsync().ConfigureAwait(false);
        T result;
        try
        {
            proceed.Invoke();
            result = await ((Task<T>)invocation.ReturnValue!).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await audit.FailedAsync(ex).ConfigureAwait(false);
            throw;
        }

        await audit.CompletedAsync(result).ConfigureAwait(false);
        return result;
    }

    private static async ValueTask<T> ValueTaskOfT<T>(IInvocation invocation, IAuditTrail trail, RuntimeTool tool)
    {
        var proceed = invocation.CaptureProceedInfo();
        var audit = Begin(invocation, trail, tool);
        await audit.InvokedAsync().ConfigureAwait(false);
        T result;
        try
        {
            proceed.Invoke();
            result = await ((ValueTask<T>)invocation.ReturnValue!).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await audit.FailedAsync(ex).ConfigureAwait(false);
            throw;
        }

        await audit.CompletedAsync(result).ConfigureAwait(false);
        return result;
    }
}
