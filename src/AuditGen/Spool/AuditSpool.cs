using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using AuditGen.Canonical;
using AuditGen.Spool;
using AuditGen.Storage.Journal;

namespace AuditGen;

/// <summary>What <see cref="AuditSpool.ReplayAsync"/> did.</summary>
/// <param name="Replayed">Spooled entries appended to the trail by this call (the outage marker is not counted).</param>
/// <param name="SkippedAsAlreadyPresent">Spooled entries not appended because the trail already holds them (an earlier,
/// interrupted replay appended them) or because the spool repeats a line's id.</param>
public sealed record SpoolReplayResult(int Replayed, int SkippedAsAlreadyPresent);

/// <summary>Brings entries spooled by a <see cref="FileSpoolAlertSink"/> into the trail they were meant for.</summary>
public static class AuditSpool
{
    /// <summary>The suffix a spool file carries while it is being replayed.</summary>
    internal const string ReplayingSuffix = ".replaying";

    /// <summary>The marker's actor id.</summary>
    internal const string MarkerActorId = "auditgen.spool";

    /// <summary>
    /// How far before the earliest <c>failedAt</c> the trail is searched for records an interrupted replay already
    /// appended. Those records are stamped by the trail's clock at replay time, after the failures; the margin covers
    /// a trail clock that runs behind the sink's.
    /// </summary>
    private static readonly TimeSpan SearchMargin = TimeSpan.FromDays(1);

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Appends every entry spooled at <paramref name="spoolPath"/> to <paramref name="trail"/>, durably and in spool
    /// order, after one <see cref="AuditAction.Error"/> record saying that they were spooled during an outage and are
    /// appended late; then deletes the spool. Call it at start-up, before the application's first audited call.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Each appended record is the spooled entry with one member added to its details:
    /// <c>"spooled": {"spoolId","failedAt","reason"}</c> (details that were null become an object holding only it;
    /// details that were not a JSON object are kept under <c>"unparsedDetails"</c>). The marker has actor type
    /// <see cref="ActorType.System"/>, outcome <see cref="AuditOutcome.Failure"/>, the union of the entries' domains, and
    /// details <c>{"message", "spool": {"file","entries","firstFailedAt","lastFailedAt","firstSpoolId"}}</c>, where
    /// <c>file</c> is the spool's file name only and <c>firstSpoolId</c> tells one spool file from a later one of the
    /// same name.
    /// </para>
    /// <para>
    /// Idempotent and crash-safe. The whole file is read and checked first: a malformed line fails the call with an
    /// <see cref="AuditTrailException"/> naming the file and line, before anything is appended, and the file is kept.
    /// Then the file is renamed to <c>{spoolPath}.replaying</c> (directory fsynced), so failures spooled meanwhile go to
    /// a new spool. Before appending, the trail is queried for records whose details carry this file's spool ids, and
    /// for this file's marker; those are not appended again. The <c>.replaying</c> file is deleted only after every
    /// append has returned (each is durable when it returns). A call interrupted anywhere (crash, trail failure,
    /// cancellation) leaves the <c>.replaying</c> file, which the next call finishes before it takes the spool itself.
    /// </para>
    /// <para>
    /// The spool file must not be held by a live <see cref="FileSpoolAlertSink"/> (one that has spooled a failure and
    /// is not disposed), nor by another replay: the call then fails and changes nothing. Appends are awaited one at a
    /// time, so a large spool costs one group commit per entry.
    /// </para>
    /// </remarks>
    /// <param name="trail">The trail to append to.</param>
    /// <param name="spoolPath">The spool file given to the <see cref="FileSpoolAlertSink"/>.</param>
    /// <param name="ct">Cancels the replay; what was appended stays, the rest is appended by the next call.</param>
    /// <returns>The counts; (0, 0) when there is no spool file.</returns>
    /// <exception cref="AuditTrailException">A spool line is malformed, the spool is in use, or the trail failed an append.</exception>
    public static async Task<SpoolReplayResult> ReplayAsync(IAuditTrail trail, string spoolPath, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentException.ThrowIfNullOrEmpty(spoolPath);
        var path = Path.GetFullPath(spoolPath);
        var replaying = path + ReplayingSuffix;
        var fileName = Path.GetFileName(path);

        // An interrupted replay first: its entries failed before anything now in the spool.
        var resumed = await ReplayFileAsync(trail, replaying, renameTo: null, fileName, ct).ConfigureAwait(false);
        var fresh = await ReplayFileAsync(trail, path, renameTo: replaying, fileName, ct).ConfigureAwait(false);
        return new SpoolReplayResult(resumed.Replayed + fresh.Replayed, resumed.SkippedAsAlreadyPresent + fresh.SkippedAsAlreadyPresent);
    }

    private static async Task<SpoolReplayResult> ReplayFileAsync(IAuditTrail trail, string path, string? renameTo, string fileName, CancellationToken ct)
    {
        var handle = OpenExclusive(path);
        if (handle is null)
            return new SpoolReplayResult(0, 0);

        using (handle)
        {
            var bytes = new byte[handle.Length];
            handle.ReadExactly(bytes);
            var spooled = Parse(bytes, path);

            var directory = Path.GetDirectoryName(path)!;
            if (renameTo is not null)
            {
                File.Move(path, renameTo);
                DirectorySync.Flush(directory);
                path = renameTo;
            }

            var result = spooled.Count == 0
                ? new SpoolReplayResult(0, 0)
                : await AppendAllAsync(trail, spooled, fileName, ct).ConfigureAwait(false);

            File.Delete(path);
            DirectorySync.Flush(directory);
            return result;
        }
    }

    /// <summary>
    /// Opens a spool file for reading, exclusively: a live sink (which holds it shared) or another replay makes this
    /// fail. On Windows the share mode still allows the rename and delete that follow.
    /// </summary>
    private static FileStream? OpenExclusive(string path)
    {
        var share = OperatingSystem.IsWindows() ? FileShare.Delete : FileShare.None;
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, share, bufferSize: 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (IOException e)
        {
            throw new AuditTrailException(
                $"The spool file '{path}' is in use, by a FileSpoolAlertSink that has spooled failures and is not disposed or by another replay. " +
                "Replay it at start-up, before audited calls, or after disposing the sink.", e);
        }
    }

    /// <summary>Reads every line, checking each; nothing is appended from a file with a malformed line.</summary>
    private static List<(SpooledFailure Failure, AuditEntry Entry)> Parse(byte[] bytes, string path)
    {
        var result = new List<(SpooledFailure, AuditEntry)>();
        ReadOnlyMemory<byte> memory = bytes;
        var lineNumber = 0;
        while (!memory.IsEmpty)
        {
            lineNumber++;
            var end = memory.Span.IndexOf((byte)'\n');
            var line = end < 0 ? memory : memory[..end];
            memory = end < 0 ? ReadOnlyMemory<byte>.Empty : memory[(end + 1)..];
            if (line.Span.Trim(" \t\r"u8).IsEmpty)
                continue;
            try
            {
                var failure = SpoolFormat.ReadLine(line);
                result.Add((failure, WithSpooledDetails(failure)));
            }
            catch (FormatException e)
            {
                throw new AuditTrailException(
                    $"Spool file '{path}' line {lineNumber} is malformed: {e.Message}. Nothing from this file was appended and the file is kept; " +
                    "correct or remove that line (a torn last line is a write that was cut off by a crash) and replay again.", e);
            }
        }

        return result;
    }

    private static async Task<SpoolReplayResult> AppendAllAsync(IAuditTrail trail, List<(SpooledFailure Failure, AuditEntry Entry)> spooled, string fileName, CancellationToken ct)
    {
        var ids = new HashSet<Guid>();
        var first = spooled[0].Failure;
        var last = first;
        var domains = ComplianceDomain.None;
        foreach (var (failure, entry) in spooled)
        {
            ids.Add(failure.SpoolId);
            domains |= entry.Domains;
            if (failure.FailedAt < first.FailedAt) first = failure;
            if (failure.FailedAt > last.FailedAt) last = failure;
        }

        var firstSpoolId = spooled[0].Failure.SpoolId;
        var (present, markerPresent) = await FindAlreadyAppendedAsync(trail, ids, fileName, firstSpoolId, first.FailedAt - SearchMargin, ct).ConfigureAwait(false);

        if (!markerPresent)
            await trail.AppendAsync(Marker(fileName, ids.Count, first.FailedAtText, last.FailedAtText, firstSpoolId, domains), ct).ConfigureAwait(false);

        var replayed = 0;
        var skipped = 0;
        foreach (var (failure, entry) in spooled)
        {
            // present doubles as "done": a line repeating an id already handled is skipped too.
            if (!present.Add(failure.SpoolId))
            {
                skipped++;
                continue;
            }

            await trail.AppendAsync(entry, ct).ConfigureAwait(false);
            replayed++;
        }

        return new SpoolReplayResult(replayed, skipped);
    }

    /// <summary>Which of <paramref name="ids"/> the trail already holds (from an interrupted replay), and whether this file's marker is there.</summary>
    private static async Task<(HashSet<Guid> Present, bool MarkerPresent)> FindAlreadyAppendedAsync(
        IAuditTrail trail, HashSet<Guid> ids, string fileName, Guid firstSpoolId, DateTimeOffset from, CancellationToken ct)
    {
        var present = new HashSet<Guid>();
        var markerPresent = false;
        await foreach (var record in trail.QueryAsync(new AuditQuery { From = from }, ct).ConfigureAwait(false))
        {
            // Details are canonical, so the member names appear literally.
            if (record.Details is not { } details || !details.Contains("\"spool", StringComparison.Ordinal))
                continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(details);
            }
            catch (JsonException)
            {
                continue;
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    continue;
                if (StringMember(root, "spooled", "spoolId") is { } spoolIdText && Guid.TryParse(spoolIdText, out var spoolId) && ids.Contains(spoolId))
                    present.Add(spoolId);
                if (record.Action == AuditAction.Error
                    && StringMember(root, "spool", "file") == fileName
                    && StringMember(root, "spool", "firstSpoolId") is { } markerFirst
                    && Guid.TryParse(markerFirst, out var markerFirstId) && markerFirstId == firstSpoolId)
                {
                    markerPresent = true;
                }
            }
        }

        return (present, markerPresent);
    }

    private static string? StringMember(JsonElement root, string objectName, string memberName) =>
        root.TryGetProperty(objectName, out var inner) && inner.ValueKind == JsonValueKind.Object
        && inner.TryGetProperty(memberName, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static AuditEntry Marker(string fileName, int entries, string firstFailedAt, string lastFailedAt, Guid firstSpoolId, ComplianceDomain domains)
    {
        var details = WriteJson(w =>
        {
            w.WriteStartObject();
            w.WriteString("message",
                $"{entries} audit record(s) could not be recorded between {firstFailedAt} and {lastFailedAt} (fail-open) and were spooled to '{fileName}'. " +
                "They follow this record, appended late; each carries details.spooled.");
            w.WriteStartObject("spool");
            w.WriteString("file", fileName);
            w.WriteNumber("entries", entries);
            w.WriteString("firstFailedAt", firstFailedAt);
            w.WriteString("lastFailedAt", lastFailedAt);
            w.WriteString("firstSpoolId", firstSpoolId.ToString("D"));
            w.WriteEndObject();
            w.WriteEndObject();
        });

        return new AuditEntry
        {
            Action = AuditAction.Error,
            ActorId = MarkerActorId,
            ActorType = ActorType.System,
            Classification = DataClass.Internal,
            Domains = domains,
            Outcome = AuditOutcome.Failure,
            Details = details,
        };
    }

    /// <summary>The entry as it is appended: its details extended by <c>"spooled"</c>.</summary>
    /// <exception cref="FormatException">The details already have a <c>spooled</c> member.</exception>
    private static AuditEntry WithSpooledDetails(SpooledFailure failure)
    {
        var original = failure.Details;
        var details = WriteJson(w =>
        {
            w.WriteStartObject();
            if (original.ValueKind == JsonValueKind.Object)
            {
                foreach (var member in original.EnumerateObject())
                {
                    if (member.NameEquals("spooled"))
                        throw new FormatException("'entry.details' already has a 'spooled' member, which replay would overwrite");
                    member.WriteTo(w);
                }
            }
            else if (original.ValueKind == JsonValueKind.String)
            {
                w.WriteString("unparsedDetails", original.GetString());
            }

            w.WriteStartObject("spooled");
            w.WriteString("spoolId", failure.SpoolId.ToString("D"));
            w.WriteString("failedAt", failure.FailedAtText);
            w.WriteString("reason", failure.Reason);
            w.WriteEndObject();
            w.WriteEndObject();
        });

        try
        {
            // What the trail will do on append; a spool line it would reject is reported here, with its line number.
            _ = AuditRecordCodec.CanonicalizeDetails(details);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"'entry.details' cannot be recorded: {ex.Message}", ex);
        }

        return failure.Entry with { Details = details };
    }

    private static string WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
            write(w);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
