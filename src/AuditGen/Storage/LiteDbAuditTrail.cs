namespace AuditGen;

/// <summary>A trail stored in an embedded LiteDB file, made durable by an fsynced journal. Open with <see cref="AuditTrail.OpenLiteDb"/>.</summary>
public sealed class LiteDbAuditTrail : IAuditTrail, IAsyncDisposable, IDisposable
{
    private LiteDbAuditTrail() { }

    /// <inheritdoc />
    public AuditTrailOptions Options => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask<AuditRecord> AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public IAsyncEnumerable<AuditRecord> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>Drains pending appends, makes them durable and releases the lock.</summary>
    public ValueTask DisposeAsync() => throw new NotImplementedException();

    /// <summary>Synchronous <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => throw new NotImplementedException();
}
