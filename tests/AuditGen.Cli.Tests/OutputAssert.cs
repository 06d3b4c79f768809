namespace AuditGen.Cli.Tests;

internal static class OutputAssert
{
    /// <summary>Output meant for files and pipes must not carry terminal escape sequences.</summary>
    public static void NoAnsiEscapes(string text) => Assert.DoesNotContain('\u001b', text);

    /// <summary>Failures are reported in a sentence, not a stack trace.</summary>
    public static void NoStackTrace(string text)
    {
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotContain("Exception:", text);
    }

    /// <summary>The error is a single line.</summary>
    public static void SingleLine(string text) =>
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
}
