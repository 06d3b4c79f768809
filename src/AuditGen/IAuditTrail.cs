namespace AuditGen;

/// <summary>An append-only, hash-chained audit trail with one writer.</summary>
public interface IAuditTrail
{
    /// <summary>The options the trail was opened with (redaction keys, failure policy, time).</summary>
    AuditTrailOptions Options { get; }

    /// <summary>
    /// Appends a record. The returned task completes only after the record is durable (fsynced); it carries the
    /// record with its sequence number and hashes.
    /// </summary>
    /// <exception cref="AuditTrailException">The trail is closed, faulted or read-only.</exception>
    ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Re-hashes every record in order and reports the first broken one.</summary>
    ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default);

    /// <summary>Records matching <paramref name="query"/>, in sequence order, including every acknowledged record.</summary>
    IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Completes when every record appended so far is durable and visible to queries.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
