using System.Globalization;
using System.Text.Json;

namespace AuditGen.Queries;

/// <summary>
/// Reads an <see cref="IAuditTrail"/> on behalf of an <see cref="AuditReader"/>: every read that matches confidential or
/// restricted records appends an <c>audit_log_accessed</c> record to the same trail before any record is handed over,
/// and each record is shown as the reader's role allows (<see cref="AuditReaderRole"/>).
/// </summary>
/// <remarks>
/// <para>A read runs in two passes over the store: the first counts what matches (nothing is kept in memory), then the
/// access record is appended, then the second pass hands the same records over, up to the last sequence the first pass
/// counted (records appended meanwhile are not included). So a read of a million records streams.</para>
/// <para>The access record (actor and user = the reader, <see cref="ActorType.Admin"/> for admins and
/// <see cref="ActorType.User"/> otherwise) carries the highest classification among the matching records and the union
/// of their compliance domains, so retention keeps it as long as the records it read. Its details are
/// <c>{"reader","role","filter" (<see cref="AuditQueryJson.ToCanonicalJson"/>),"returned","withheld","firstSequence","lastSequence"}</c>:
/// <c>returned</c> counts the records handed over, <c>withheld</c> those of them shown in the redacted view.</para>
/// <para>Failure policy: the access record runs under the policy a record of its classification resolves to
/// (<see cref="AuditRecorder.ResolvePolicy"/>: restricted reads are fail-closed by default). Either way the read waits
/// until the access record is durable. Fail-closed, a failure to write it fails the read with an
/// <see cref="AuditTrailException"/> and hands over nothing; fail-open, the records are handed over and the failure goes to
/// the alert sink, the <c>auditgen.append.failures</c> counter and the log — never skipped silently.</para>
/// <para>Reads whose matching records are all public or internal append nothing.</para>
/// </remarks>
public sealed class AuditedReader
{
    private readonly IAuditTrail _trail;

    /// <summary>A reader of <paramref name="trail"/> acting as <paramref name="reader"/>.</summary>
    public AuditedReader(IAuditTrail trail, AuditReader reader)
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(reader);
        _trail = trail;
        Reader = reader;
    }

    /// <summary>Who reads.</summary>
    public AuditReader Reader { get; }

    /// <summary>
    /// Counts the records matching <paramref name="query"/>, records the access when any is confidential or restricted,
    /// and returns the read, whose records can then be enumerated once.
    /// </summary>
    /// <exception cref="AuditTrailException">The access record had to be durable (fail-closed) and could not be written: nothing is returned.</exception>
    public async Task<AuditedRead> ReadAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var role = Reader.Role;
        long returned = 0, withheld = 0, sensitive = 0;
        long? first = null, last = null;
        var highest = DataClass.Public;
        var domains = ComplianceDomain.None;
        await foreach (var record in _trail.QueryAsync(query, cancellationToken).ConfigureAwait(false))
        {
            returned++;
            first ??= record.Sequence;
            last = record.Sequence;
            if (record.Classification >= DataClass.Confidential)
            {
                sensitive++;
                domains |= record.Domains;
                if (record.Classification > highest)
                    highest = record.Classification;
            }
            if (!role.SeesInFull(record.Classification))
                withheld++;
        }

        AuditRecord? access = null;
        if (sensitive > 0)
            access = await RecordAccessAsync(query, highest, domains, returned, withheld, first!.Value, last!.Value, cancellationToken).ConfigureAwait(false);
        return new AuditedRead(_trail, query, role, returned, withheld, last, access);
    }

    private async Task<AuditRecord?> RecordAccessAsync(AuditQuery query, DataClass classification, ComplianceDomain domains,
        long returned, long withheld, long first, long last, CancellationToken cancellationToken)
    {
        var entry = new AuditEntry
        {
            Action = AuditAction.AuditLogAccessed,
            ActorId = Reader.Id,
            ActorType = Reader.Role == AuditReaderRole.Admin ? ActorType.Admin : ActorType.User,
            UserId = Reader.Id,
            Classification = classification,
            Domains = domains,
            Outcome = AuditOutcome.Success,
            Details = AccessDetails(query, returned, withheld, first, last),
        };
        var policy = AuditRecorder.ResolvePolicy(AuditFailurePolicy.Default, classification, _trail.Options);
        try
        {
            return await _trail.AppendAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (policy == AuditFailurePolicy.FailOpen && e is not OperationCanceledException)
        {
            ToolInvocation.ReportFailure(_trail.Options, entry, Guid.Empty, e);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new AuditTrailException(
                $"The audit_log_accessed record for reader '{Reader.Id}' ({returned.ToString(CultureInfo.InvariantCulture)} matching records, " +
                $"{classification.ToWireName()}) could not be made durable, so no record is returned.", e);
        }
    }

    private string AccessDetails(AuditQuery query, long returned, long withheld, long first, long last)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("reader", Reader.Id);
            json.WriteString("role", Reader.Role.ToWireName());
            json.WritePropertyName("filter");
            json.WriteRawValue(query.ToCanonicalJson(), skipInputValidation: true);
            json.WriteNumber("returned", returned);
            json.WriteNumber("withheld", withheld);
            json.WriteNumber("firstSequence", first);
            json.WriteNumber("lastSequence", last);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
