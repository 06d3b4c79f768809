using System.Text.Json;
using AuditGen.Archive;
using AuditGen.Canonical;

namespace AuditGen.Retention;

/// <summary>
/// Applies retention to a trail that archives (LiteDB, PostgreSQL): records the configuration when it changed, plans at
/// the trail's now, and archives the selection (the trail's <c>ArchiveAsync</c>) with the plan's "why" in <c>retention_applied</c>.
/// </summary>
/// <remarks>
/// Idempotent. A run interrupted by a crash is completed by the next one before anything new is planned: a segment with
/// an <c>archive_created</c> record but no <c>retention_applied</c> is rerun with exactly its own sequences (read back
/// from the segment); a segment published but never recorded is rerun likewise when all its records are still live and
/// still selected. Its segment id is derived from the sequences, so nothing is ever archived twice. Records already
/// archived are stubs, which readers skip, so a rerun never selects them again.
/// </remarks>
public static class RetentionApplier
{
    /// <summary>The actor of the records retention appends when the caller names none.</summary>
    public const string DefaultActor = "auditgen-retention";

    /// <summary>Applies retention now (the trail's <see cref="AuditTrailOptions.TimeProvider"/>).</summary>
    /// <param name="trail">The trail, opened for writing.</param>
    /// <param name="target">Where the archived records go (e.g. <see cref="FolderArchiveTarget"/>).</param>
    /// <param name="policies">The policies; <see langword="null"/>: the trail's <see cref="AuditTrailOptions.Retention"/>.</param>
    /// <param name="appliedBy">Who applies retention (the actor of the <c>retention_policy_changed</c> record).</param>
    /// <param name="progress">Receives planning and archiving progress.</param>
    /// <param name="cancellationToken">Cancels between steps; a rerun completes what was started.</param>
    /// <exception cref="RetentionConfigurationException">The trail's retention options are invalid.</exception>
    /// <exception cref="ArchiveTargetException">The target cannot be read or written.</exception>
    /// <exception cref="AuditTrailException">The trail is read-only or closed, or an archive did not verify (nothing was removed).</exception>
    public static Task<RetentionRun> ApplyAsync(LiteDbAuditTrail trail, IArchiveTarget target, RetentionPolicySet? policies = null,
        string appliedBy = DefaultActor, IProgress<RetentionProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ApplyToAsync(trail, target, policies, appliedBy, progress, cancellationToken);

    /// <summary>As <see cref="ApplyAsync"/>, for any store that archives (the LiteDB and PostgreSQL trails).</summary>
    internal static async Task<RetentionRun> ApplyToAsync(IArchivingTrail trail, IArchiveTarget target, RetentionPolicySet? policies,
        string appliedBy, IProgress<RetentionProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trail);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(appliedBy);
        policies ??= RetentionPolicySet.Create(trail.Options.Retention);
        if (trail.Options.ReadOnly)
            throw new AuditTrailException("Retention cannot be applied to a trail opened read-only: open it for writing.");

        var archives = new List<ArchiveOutcome>();
        var change = await RetentionPolicyRecords.RecordIfChangedAsync(trail, policies, appliedBy, cancellationToken).ConfigureAwait(false);
        var plan = await PlanAsync(trail, policies, progress, cancellationToken).ConfigureAwait(false);

        // Complete interrupted runs first, each with exactly its own sequences.
        var segments = await ReadSegmentStatesAsync(trail, cancellationToken).ConfigureAwait(false);
        var claimed = new HashSet<long>();
        var selected = new HashSet<long>(plan.Sequences);
        var candidates = segments.Where(s => s.Value == SegmentState.Recorded).Select(s => s.Key).ToList();
        await foreach (var segmentId in ListAsync(target, cancellationToken).ConfigureAwait(false))
        {
            if (!segments.ContainsKey(segmentId))
                candidates.Add(segmentId);
        }
        candidates.Sort(StringComparer.Ordinal);
        foreach (var segmentId in candidates)
        {
            segments.TryGetValue(segmentId, out var state);
            if (state == SegmentState.Completed)
                continue;
            var sequences = await ReadSegmentSequencesAsync(target, segmentId, cancellationToken).ConfigureAwait(false);
            // Recorded but unfinished: finish it whatever the plan says now (the archive is already part of the history).
            // Published but never recorded: reuse it only when it still is exactly what retention would archive now.
            if (state == SegmentState.Unrecorded && !sequences.All(selected.Contains))
                continue;
            archives.Add(await ArchiveAsync(trail, target, sequences, plan, interrupted: true, progress, cancellationToken).ConfigureAwait(false));
            claimed.UnionWith(sequences);
        }

        var remaining = claimed.Count == 0 ? plan.Sequences : plan.Sequences.Where(s => !claimed.Contains(s)).ToList();
        if (remaining.Count > 0)
            archives.Add(await ArchiveAsync(trail, target, remaining, plan, interrupted: false, progress, cancellationToken).ConfigureAwait(false));
        return new RetentionRun(plan, change, archives);
    }

    private static async Task<RetentionPlan> PlanAsync(IArchivingTrail trail, RetentionPolicySet policies, IProgress<RetentionProgress>? progress, CancellationToken cancellationToken)
    {
        var total = await trail.GetArchivingTreeSizeAsync(cancellationToken).ConfigureAwait(false);
        var planning = progress is null ? null : new Progress<long>(done => progress.Report(new RetentionProgress("planning", done, total)));
        return await RetentionPlan.CreateAsync(trail, policies, progress: planning, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ArchiveOutcome> ArchiveAsync(IArchivingTrail trail, IArchiveTarget target, IReadOnlyList<long> sequences, RetentionPlan plan,
        bool interrupted, IProgress<RetentionProgress>? progress, CancellationToken cancellationToken)
    {
        var total = 3L * sequences.Count;
        var archiving = progress is null ? null : new Progress<long>(done => progress.Report(new RetentionProgress("archiving", done, total)));
        var why = LegalHoldRecords.Json(json =>
        {
            json.WriteBoolean("completesInterruptedRun", interrupted);
            json.WritePropertyName("plan");
            json.WriteRawValue(plan.ToDetailsJson(), skipInputValidation: true);
        });
        return await trail.ArchiveAsync(new ArchiveSelection(sequences, JsonCanonicalizer.Canonicalize(why)), target, archiving, cancellationToken).ConfigureAwait(false);
    }

    private enum SegmentState { Unrecorded, Recorded, Completed }

    // A folder that does not exist yet holds no segment: the first run creates it.
    private static async IAsyncEnumerable<string> ListAsync(IArchiveTarget target, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (target is FolderArchiveTarget folder && !Directory.Exists(folder.Location))
            yield break;
        await foreach (var id in target.ListSegmentsAsync(cancellationToken).ConfigureAwait(false))
            yield return id;
    }

    // Which segments the log knows: archive_created (recorded) and retention_applied (completed), through the action index.
    private static async Task<Dictionary<string, SegmentState>> ReadSegmentStatesAsync(IAuditTrail trail, CancellationToken cancellationToken)
    {
        var states = new Dictionary<string, SegmentState>(StringComparer.Ordinal);
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.ArchiveCreated }, cancellationToken).ConfigureAwait(false))
        {
            if (ArchiveRecords.SegmentOf(record) is { } id)
                states[id] = SegmentState.Recorded;
        }
        await foreach (var record in trail.QueryAsync(new AuditQuery { Action = AuditAction.RetentionApplied }, cancellationToken).ConfigureAwait(false))
        {
            if (ArchiveRecords.SegmentOf(record) is { } id)
                states[id] = SegmentState.Completed;
        }
        return states;
    }

    // The sequences a published segment holds, in its (ascending) order: the selection that produced it.
    private static async Task<List<long>> ReadSegmentSequencesAsync(IArchiveTarget target, string segmentId, CancellationToken cancellationToken)
    {
        await using var stream = await target.OpenSegmentAsync(segmentId, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveTargetException($"The archive target '{target.Location}' lists segment {segmentId} but cannot open it.");
        using var reader = new SegmentLineReader(stream);
        var sequences = new List<long>();
        try
        {
            while (reader.TryReadLine(out var line))
                sequences.Add(SequenceOf(line.Span));
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or FormatException)
        {
            throw new ArchiveTargetException($"The segment {segmentId} in '{target.Location}' cannot be read back to complete the interrupted run: {e.Message}", e);
        }
        return sequences;
    }

    private static long SequenceOf(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isSequence = reader.ValueTextEquals("sequence"u8);
            reader.Read();
            if (isSequence)
                return reader.GetInt64();
            reader.Skip();
        }
        throw new FormatException("a segment line has no \"sequence\"");
    }
}
