namespace AuditGen.Erasure;

/// <summary>
/// A trail that finds the records sealed under one subject's keys through an index, so an erasure reads those records
/// instead of the whole log. A trail without it is read record by record.
/// </summary>
internal interface ISealedRecordLookup
{
    /// <summary>
    /// The live records whose <see cref="AuditRecord.Sealed"/> header names <paramref name="pseudonym"/> (base64url, as in
    /// <see cref="SealFormat.Header"/>), in sequence order. The caller still parses each header: the lookup may return more,
    /// never fewer.
    /// </summary>
    IAsyncEnumerable<AuditRecord> SealedRecordsAsync(string pseudonym, CancellationToken cancellationToken);
}
