using System.Runtime.CompilerServices;

namespace AuditGen.Queries;

/// <summary>
/// One audited read (<see cref="AuditedReader.ReadAsync"/>): what it matched, its access record, and the records as the
/// reader may see them. Enumerable once: a second enumeration would hand the records over again without a record of it.
/// </summary>
public sealed class AuditedRead : IAsyncEnumerable<AuditRecordView>
{
    private readonly IAuditTrail _trail;
    private readonly AuditQuery _query;
    private readonly AuditReaderRole _role;
    private readonly long? _lastSequence;
    private int _enumerated;

    internal AuditedRead(IAuditTrail trail, AuditQuery query, AuditReaderRole role, long returned, long withheld, long? lastSequence, AuditRecord? accessRecord)
    {
        _trail = trail;
        _query = query;
        _role = role;
        _lastSequence = lastSequence;
        Returned = returned;
        Withheld = withheld;
        AccessRecord = accessRecord;
    }

    /// <summary>How many records the read hands over.</summary>
    public long Returned { get; }

    /// <summary>How many of them are shown in the redacted view (fields withheld from this reader's role).</summary>
    public long Withheld { get; }

    /// <summary>
    /// The durable <c>audit_log_accessed</c> record of this read; <see langword="null"/> when every matching record is
    /// public or internal (nothing is recorded), or when a fail-open access record could not be written (reported as an
    /// audit failure).
    /// </summary>
    public AuditRecord? AccessRecord { get; }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The read was already enumerated.</exception>
    public IAsyncEnumerator<AuditRecordView> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
            throw new InvalidOperationException("An audited read hands its records over once; read again (and be recorded again) to see them again.");
        return EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>The records, in sequence order, into a list.</summary>
    public async Task<List<AuditRecordView>> ToListAsync(CancellationToken cancellationToken = default)
    {
        var views = new List<AuditRecordView>();
        await foreach (var view in this.WithCancellation(cancellationToken).ConfigureAwait(false))
            views.Add(view);
        return views;
    }

    private async IAsyncEnumerable<AuditRecordView> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_lastSequence is not { } last || Returned == 0)
            yield break;
        var bounded = _query with { Limit = (int)Math.Min(Returned, int.MaxValue) };
        await foreach (var record in _trail.QueryAsync(bounded, cancellationToken).ConfigureAwait(false))
        {
            if (record.Sequence > last)
                yield break;
            yield return AuditRecordView.For(record, _role);
        }
    }
}
