namespace AuditGen.Generators.Tests;

/// <summary>What the wrapper bodies do, in order (the runtime API they call is exercised by the runtime's own tests).</summary>
public class WrapperBehaviourTests
{
    private const string Source = """
        using System.Threading;
        using System.Threading.Tasks;
        using AuditGen;

        namespace Clinic;

        public partial class Tools
        {
            [AuditedTool] public Task<int> CountAsync(string filter, CancellationToken cancellationToken) => Task.FromResult(1);
            [AuditedTool] public void Touch(int id) { }
            [AuditedTool] public ValueTask FlushAsync() => default;
        }
        """;

    private static string Wrapper() => GeneratorHarness.Run(Source).Source("Clinic.Tools.Audited.g.cs");

    private static string Body(string wrapper, string method)
    {
        int start = wrapper.IndexOf(" " + method + "(", StringComparison.Ordinal);
        int end = wrapper.IndexOf("\n        }\n", start, StringComparison.Ordinal);
        return wrapper[start..end];
    }

    [Fact]
    public void A_task_returning_tool_gets_an_async_wrapper_that_records_invocation_before_the_call()
    {
        string wrapper = Wrapper();
        string body = Body(wrapper, "CountAsync");

        Assert.Contains("public async global::System.Threading.Tasks.Task<int> CountAsync(string filter, global::System.Threading.CancellationToken cancellationToken)", wrapper);
        AssertInOrder(
            body,
            "global::AuditGen.ToolInvocation.Start(_trail, s_tool0);",
            "invocation.Argument(0, filter);",
            "await invocation.InvokedAsync().ConfigureAwait(false);",
            "result = await _inner.CountAsync(filter, cancellationToken).ConfigureAwait(false);",
            "await invocation.FailedAsync(ex).ConfigureAwait(false);",
            "throw;",
            "await invocation.CompletedAsync(result).ConfigureAwait(false);",
            "return result;");
    }

    [Fact]
    public void A_cancellation_token_is_forwarded_but_not_audited()
    {
        string body = Body(Wrapper(), "CountAsync");

        Assert.DoesNotContain("Argument(1", body);
        Assert.DoesNotContain("Argument(0, cancellationToken)", body);
        Assert.Contains("_inner.CountAsync(filter, cancellationToken)", body);
    }

    [Fact]
    public void A_synchronous_tool_uses_the_synchronous_recording_calls()
    {
        string body = Body(Wrapper(), "Touch");

        Assert.DoesNotContain("async", body);
        AssertInOrder(body, "invocation.Argument(0, id);", "invocation.Invoked();", "_inner.Touch(id);", "invocation.Failed(ex);", "invocation.Completed();");
    }

    [Fact]
    public void A_value_task_tool_without_result_completes_without_a_value()
    {
        string body = Body(Wrapper(), "FlushAsync");

        AssertInOrder(body, "await invocation.InvokedAsync().ConfigureAwait(false);", "await _inner.FlushAsync().ConfigureAwait(false);", "await invocation.CompletedAsync().ConfigureAwait(false);");
    }

    [Fact]
    public void The_wrapper_rejects_null_dependencies()
    {
        string wrapper = Wrapper();

        Assert.Contains("public AuditedTools(global::Clinic.Tools inner, global::AuditGen.IAuditTrail trail)", wrapper);
        Assert.Contains("_inner = inner ?? throw new global::System.ArgumentNullException(nameof(inner));", wrapper);
        Assert.Contains("_trail = trail ?? throw new global::System.ArgumentNullException(nameof(trail));", wrapper);
    }

    private static void AssertInOrder(string text, params string[] parts)
    {
        int position = 0;
        foreach (string part in parts)
        {
            int found = text.IndexOf(part, position, StringComparison.Ordinal);
            Assert.True(found >= 0, "'" + part + "' missing or out of order in:\n" + text);
            position = found + part.Length;
        }
    }
}
