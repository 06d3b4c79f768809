namespace AuditGen.Retention;

/// <summary>The retention configuration is invalid (an unknown policy, a period below a regime's minimum, …). The message lists every problem.</summary>
public sealed class RetentionConfigurationException : ArgumentException
{
    /// <summary>Creates the exception from the problems found.</summary>
    public RetentionConfigurationException(IReadOnlyList<string> problems)
        : base("The retention configuration is invalid: " + string.Join(" ", problems)) => Problems = problems;

    /// <summary>Every problem found, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
