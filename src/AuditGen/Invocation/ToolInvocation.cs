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
    // CONTRACT (implemented in ToolInvocation.*.cs):
    // public static ToolInvocation Start(IAuditTrail trail, ToolDescriptor tool);
    // public void Argument<T>(int parameterIndex, T value);
    // public void BeginObjectArgument(int parameterIndex);
    // public void ObjectProperty<T>(int propertyIndex, T value);   // index into Parameters[parameterIndex].Properties
    // public void EndObjectArgument();
    // public ValueTask InvokedAsync();                 public void Invoked();
    // public ValueTask CompletedAsync<T>(T result);    public void Completed<T>(T result);
    // public ValueTask CompletedAsync();               public void Completed();
    // public ValueTask FailedAsync(Exception exception); public void Failed(Exception exception);
}
