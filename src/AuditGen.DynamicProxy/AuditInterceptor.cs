using Castle.DynamicProxy;

namespace AuditGen.DynamicProxy;

/// <summary>Audits the calls of a proxy's tool methods and passes every other call through.</summary>
internal sealed class AuditInterceptor(IAuditTrail trail, ToolTable tools) : IInterceptor
{
    public void Intercept(IInvocation invocation)
    {
        var method = tools.Find(invocation);
        if (method is null)
        {
            invocation.Proceed();
            return;
        }

        method.Intercept(invocation, trail);
    }
}
