namespace AuditGen.Erasure;

/// <summary>What is wrong with a sealed value that cannot be trusted.</summary>
public enum SealedContentProblem
{
    /// <summary>The vault has no payload for a value whose key is live.</summary>
    PayloadMissing,
    /// <summary>The vault has no key the record names.</summary>
    KeyMissing,
    /// <summary>AES-GCM authentication failed: the ciphertext, its tag or its binding (record, subject, commitment) was altered.</summary>
    AuthenticationFailed,
    /// <summary>The decrypted payload does not open the record's commitment.</summary>
    CommitmentMismatch,
    /// <summary>The record's sealed markers or vault reference are malformed.</summary>
    Malformed,
}

/// <summary>A sealed value's vault content does not match what the record committed to: tampering or loss, never served.</summary>
public sealed class SealedContentTamperedException : AuditTrailException
{
    /// <summary>Creates the exception.</summary>
    public SealedContentTamperedException(long sequence, string path, SealedContentProblem problem, string message, Exception? inner = null)
        : base(message, inner!)
    {
        Sequence = sequence;
        Path = path;
        Problem = problem;
    }

    /// <summary>The record's sequence.</summary>
    public long Sequence { get; }

    /// <summary>The sealed value's path in the record's details (e.g. <c>arguments.notes</c>).</summary>
    public string Path { get; }

    /// <summary>What is wrong.</summary>
    public SealedContentProblem Problem { get; }
}
