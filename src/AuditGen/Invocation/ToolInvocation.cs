using System.ComponentModel;

namespace AuditGen;

/// <summary>
/// One audited tool call in flight. Generated wrappers (and the runtime interceptors) drive it in this order:
/// <c>Start</c>, one <c>Argument</c> per parameter (or <c>BeginObjectArgument</c>,
/// <c>ObjectProperty</c>…, <c>EndObjectArgument</c> for an argument whose type has classified
/// properties), <c>InvokedAsync</c>, the tool itself, then <c>CompletedAsync(result)</c> /
/// <c>CompletedAsync()</c> or <c>FailedAsync</c>. Synchronous tools use <c>Invoked</c>,
/// <c>Completed(result)</c>, <c>Completed()</c> and <c>Failed</c>.
/// Arguments are redacted as they are captured: no raw classified value outlives the call in the audit path.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public sealed partial class ToolInvocation
{
    /// <summary>Starts auditing one call of <paramref name="tool"/> on <paramref name="trail"/>, capturing the ambient <see cref="AuditContext"/>, the current activity and the start time.</summary>
    public static ToolInvocation Start(IAuditTrail trail, ToolDescriptor tool) => throw new NotImplementedException();

    /// <summary>Captures (and redacts) the argument for <c>tool.Parameters[parameterIndex]</c>.</summary>
    public void Argument<T>(int parameterIndex, T value) => throw new NotImplementedException();

    /// <summary>Begins an argument written property by property (its type has classified properties).</summary>
    public void BeginObjectArgument(int parameterIndex) => throw new NotImplementedException();

    /// <summary>Captures (and redacts) one property of the current object argument: <c>Parameters[p].Properties[propertyIndex]</c>.</summary>
    public void ObjectProperty<T>(int propertyIndex, T value) => throw new NotImplementedException();

    /// <summary>Ends the current object argument.</summary>
    public void EndObjectArgument() => throw new NotImplementedException();

    /// <summary>Records <c>tool_invoked</c>. Fail-closed: completes when the record is durable; fail-open: completes at once.</summary>
    public ValueTask InvokedAsync() => throw new NotImplementedException();

    /// <summary>Synchronous <see cref="InvokedAsync"/>.</summary>
    public void Invoked() => throw new NotImplementedException();

    /// <summary>Records <c>tool_completed</c> with the (redacted) result.</summary>
    public ValueTask CompletedAsync<T>(T result) => throw new NotImplementedException();

    /// <summary>Records <c>tool_completed</c> for a tool without a result.</summary>
    public ValueTask CompletedAsync() => throw new NotImplementedException();

    /// <summary>Synchronous <see cref="CompletedAsync{T}(T)"/>.</summary>
    public void Completed<T>(T result) => throw new NotImplementedException();

    /// <summary>Synchronous <see cref="CompletedAsync()"/>.</summary>
    public void Completed() => throw new NotImplementedException();

    /// <summary>Records <c>tool_failed</c> with the exception's type and redacted message. Never throws the tool's exception; the caller rethrows it.</summary>
    public ValueTask FailedAsync(Exception exception) => throw new NotImplementedException();

    /// <summary>Synchronous <see cref="FailedAsync"/>.</summary>
    public void Failed(Exception exception) => throw new NotImplementedException();
}
