using AuditGen.Telemetry;
using System.Buffers;
using AuditGen.Spool;
using AuditGen.Storage.Journal;

namespace AuditGen;

/// <summary>
/// An <see cref="IAuditAlertSink"/> that keeps every entry a fail-open trail could not record: it appends the (already
/// redacted) entry to a spool file, fsyncs it, and then passes the failure on to <c>next</c>. Replay the spool into the
/// trail with <see cref="AuditSpool.ReplayAsync"/> once the trail works again, typically at start-up.
/// </summary>
/// <remarks>
/// <para>
/// The spool is JSON Lines (UTF-8), one line per failed entry:
/// <c>{"spoolId":"…","failedAt":"…Z","reason":"Type: message","entry":{…}}</c>, where <c>entry</c> holds every
/// <see cref="AuditEntry"/> member under its camelCase name in wire form (enums snake_case as in
/// <see cref="AuditWireNames"/>, <c>domains</c> an array, <c>details</c> an embedded JSON object, <c>error</c>
/// <c>{type,message}</c>, <c>cost</c> a decimal string). Details that are not a JSON object are kept as a JSON string.
/// Entries are written as given: <see cref="ToolInvocation"/> redacts them before any append, so no classified value
/// reaches the spool through it.
/// </para>
/// <para>
/// <see cref="OnAuditFailure"/> returns only after the line is fsynced (a new spool file's directory entry too). Calls
/// are serialized by a lock, so concurrent failures each get one whole line. The file is opened on the first failure
/// and held (shared for reading only) until <see cref="Dispose"/>; <see cref="AuditSpool.ReplayAsync"/> refuses a
/// spool file a live sink holds. Use one spool file per process.
/// </para>
/// <para>
/// It never throws for its own failures: if the line cannot be written (directory missing, disk full, an entry with an
/// undefined enum value, a disposed sink), the failure is counted on the <c>AuditGen</c> meter's
/// <c>auditgen.spool.failures</c> counter and <c>next</c> receives the entry with an <see cref="AggregateException"/>
/// whose <see cref="AggregateException.InnerExceptions"/> are the original failure and then the spool failure. Either
/// way <c>next</c> receives exactly one call per failure, so applications can still page someone. An exception
/// thrown by <c>next</c> itself (a broken contract) is not caught here.
/// </para>
/// </remarks>
public sealed class FileSpoolAlertSink : IAuditAlertSink, IDisposable
{
    private const int OpenAttempts = 3;

    private readonly object _gate = new();
    private readonly IAuditAlertSink? _next;
    private readonly TimeProvider _time;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private FileStream? _stream;
    private bool _needsSeparator;
    private bool _disposed;

    /// <summary>Creates a sink that spools to <paramref name="spoolPath"/> (created on the first failure) and then calls <paramref name="next"/>.</summary>
    /// <param name="spoolPath">The spool file. Its directory must exist when a failure is spooled.</param>
    /// <param name="next">Receives every failure after it has been spooled (or could not be), or <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for <c>failedAt</c>; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="spoolPath"/> is empty or not a valid path.</exception>
    public FileSpoolAlertSink(string spoolPath, IAuditAlertSink? next = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(spoolPath);
        SpoolPath = Path.GetFullPath(spoolPath);
        _next = next;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The full path of the spool file.</summary>
    public string SpoolPath { get; }

    /// <summary>Spools the failed entry durably, then passes the failure on to the next sink. Does not throw for spool errors.</summary>
    public void OnAuditFailure(AuditFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        Exception? spoolError = null;
        try
        {
            Append(failure);
        }
        catch (Exception e)
        {
            spoolError = e;
            AuditGenMetrics.SpoolFailures.Add(
                1,
                new KeyValuePair<string, object?>("gen_ai.tool.name", failure.Entry.ToolName ?? string.Empty),
                new KeyValuePair<string, object?>("auditgen.action", ActionName(failure.Entry.Action)));
        }

        if (_next is null)
            return;
        _next.OnAuditFailure(spoolError is null
            ? failure
            : new AuditFailure(failure.Entry, new AggregateException(
                $"An audit entry could not be recorded, nor spooled to '{SpoolPath}'; this alert is its only copy.",
                failure.Exception, spoolError)));
    }

    /// <summary>Passes a volume alert on to the next sink (nothing is spooled: no record was lost).</summary>
    public void OnVolumeAlert(Queries.VolumeAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        _next?.OnVolumeAlert(alert);
    }

    /// <summary>Closes the spool file. Failures reported afterwards are not spooled (they are counted and passed on).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _stream?.Dispose();
            _stream = null;
        }
    }

    private void Append(AuditFailure failure)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var stream = _stream ??= Open();
            _buffer.ResetWrittenCount();
            if (_needsSeparator)
                _buffer.Write("\n"u8); // a torn line from an earlier failed write stays on a line of its own
            SpoolFormat.WriteLine(_buffer, Guid.NewGuid(), _time.GetUtcNow(), failure.Exception, failure.Entry);
            try
            {
                stream.Write(_buffer.WrittenSpan);
                stream.Flush(flushToDisk: true);
                _needsSeparator = false;
            }
            catch
            {
                // The file may now end in part of a line. Reopen next time, starting with a line break.
                _needsSeparator = true;
                _stream = null;
                stream.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Opens the spool for appending, fsyncing the directory if the file is new. A replay that is just renaming the spool
    /// away holds it exclusively for a moment; a second attempt then opens (or creates) the file now at the path.
    /// </summary>
    private FileStream Open()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                FileStream stream;
                var created = false;
                try
                {
                    stream = new FileStream(SpoolPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
                    created = true;
                }
                catch (IOException) when (File.Exists(SpoolPath))
                {
                    stream = new FileStream(SpoolPath, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
                }

                if (created)
                {
                    try
                    {
                        DirectorySync.Flush(Path.GetDirectoryName(SpoolPath)!);
                    }
                    catch
                    {
                        stream.Dispose();
                        throw;
                    }
                }
                else if (stream.Length > 0)
                {
                    _needsSeparator |= !EndsWithNewLine();
                }

                return stream;
            }
            catch (IOException) when (attempt < OpenAttempts && Directory.Exists(Path.GetDirectoryName(SpoolPath)))
            {
                // Retried at once: see the summary.
            }
        }
    }

    /// <summary>Whether an existing spool ends with a complete line (a crash mid-write may have left part of one).</summary>
    private bool EndsWithNewLine()
    {
        using var reader = new FileStream(SpoolPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        if (reader.Length == 0)
            return true;
        reader.Seek(-1, SeekOrigin.End);
        return reader.ReadByte() == '\n';
    }

    private static string ActionName(AuditAction action) =>
        Enum.IsDefined(action) ? action.ToWireName() : "unknown";
}
