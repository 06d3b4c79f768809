using System.Text.Json;
using AuditGen.Redaction;
using Microsoft.Extensions.Logging;

namespace AuditGen;

/// <summary>How a trail behaves. Validated when the trail is opened.</summary>
public sealed class AuditTrailOptions
{
    /// <summary>The clock records are stamped with. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The policy for tools that do not choose one. <see cref="AuditFailurePolicy.Default"/> (the default) means
    /// <see cref="AuditFailurePolicy.FailClosed"/> for restricted tools and <see cref="AuditFailurePolicy.FailOpen"/> otherwise.
    /// </summary>
    public AuditFailurePolicy FailurePolicy { get; set; }

    /// <summary>The HMAC-SHA256 key for <see cref="RedactionStrategy.Hmac"/> pseudonyms (at least 32 bytes). Required when any tool uses HMAC redaction.</summary>
    public byte[]? HmacKey { get; set; }

    /// <summary>The id of <see cref="HmacKey"/>, written with each pseudonym so keys can be rotated.</summary>
    public int HmacKeyId { get; set; } = 1;

    /// <summary>Receives audit failures under <see cref="AuditFailurePolicy.FailOpen"/>.</summary>
    public IAuditAlertSink? AlertSink { get; set; }

    /// <summary>Logger factory for the trail's own diagnostics and alerts.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Serializer options for tool arguments and results that are not primitives. Supply a source-generated
    /// <c>TypeInfoResolver</c> for trimmed/AOT applications.</summary>
    public JsonSerializerOptions? ValueSerializerOptions { get; set; }

    /// <summary>Values longer than this (in characters of JSON) are truncated with a marker. Default 4096.</summary>
    public int MaxCapturedValueLength { get; set; } = 4096;

    /// <summary>The most records one group commit writes. Default 1024.</summary>
    public int MaxBatchSize { get; set; } = 1024;

    /// <summary>How many appends may wait for the writer before callers are slowed. Default 65,536.</summary>
    public int QueueCapacity { get; set; } = 65_536;

    /// <summary>
    /// How long the writer may wait, after acknowledging a group commit, for the callers it just released to append
    /// again before it commits the next batch without them. Default 200 µs; <see cref="TimeSpan.Zero"/> never waits.
    /// </summary>
    /// <remarks>
    /// Callers that each append one record after another (agents making tool calls in turn) otherwise split into two
    /// cohorts that take turns at the writer, each paying for a whole commit (an fsync, a database round trip): with 16
    /// such callers a commit carried 6–10 records instead of 16. The wait ends the moment those callers are back; a lone
    /// caller is never delayed (one released caller has nobody to wait for); and after a wait in which they did not all
    /// come back, the next 8 commits do not wait, so callers that do other work between appends pay for it on at most
    /// one commit in nine.
    /// </remarks>
    public TimeSpan GroupCommitLinger { get; set; } = TimeSpan.FromMicroseconds(200);

    /// <summary>The longest <see cref="GroupCommitLinger"/> accepted: 100 ms.</summary>
    public static TimeSpan MaxGroupCommitLinger { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Signed checkpoints of the trail's Merkle tree; <see langword="null"/> (the default) signs none.</summary>
    public CheckpointOptions? Checkpoints { get; set; }

    /// <summary>Open for reading and verification only: no write lock, appends fail.</summary>
    public bool ReadOnly { get; set; }

    // Retention (issue 7)
    /// <summary>
    /// The retention configuration (domain → policy, custom policies, GDPR and EU AI Act periods) that retention plans
    /// and applies by; <see langword="null"/> (the default) means the built-in policies (see
    /// <see cref="AuditGen.Retention.RetentionPolicySet.BuiltIn"/>). Nothing expires on its own: retention runs only when
    /// asked (<c>RetentionPlanner</c>, <c>auditgen retention</c>).
    /// </summary>
    public AuditGen.Retention.RetentionOptions? Retention { get; set; }

    // Erasure (issue 7, GDPR Art. 17)
    /// <summary>
    /// Sealed values and erasure by crypto-shredding (<see cref="RedactionStrategy.Seal"/>,
    /// <c>LiteDbAuditTrail.EraseSubjectAsync</c>); <see langword="null"/> (the default) seals nothing, and a tool that
    /// seals fails at its start, naming this option.
    /// </summary>
    public Erasure.ErasureOptions? Erasure { get; set; }

    // Queries and statistics (issue 7).
    /// <summary>
    /// Volume alert rules for statistics passes (<see cref="Queries.AuditStatistics"/>): a daily ceiling and the
    /// trailing-σ rule. <see langword="null"/> (the default): <see cref="Queries.VolumeAlertOptions.Default"/> (3σ over 14 days, no ceiling).
    /// </summary>
    public Queries.VolumeAlertOptions? VolumeAlerts { get; set; }

    private RedactionEngine? _redaction;
    private CachedLogger? _auditLogger;

    /// <summary>
    /// The redaction state for these options (HMAC key schedule and strategy redactors), built on first use and rebuilt
    /// only if <see cref="HmacKey"/> or <see cref="HmacKeyId"/> is replaced. A benign race may build it twice.
    /// </summary>
    internal RedactionEngine Redaction
    {
        get
        {
            var engine = _redaction;
            if (engine is null || !engine.IsFor(HmacKey, HmacKeyId))
                _redaction = engine = new RedactionEngine(HmacKey, HmacKeyId);
            return engine;
        }
    }

    /// <summary>The <c>AuditGen</c> logger from <see cref="LoggerFactory"/>, or <see langword="null"/> when none is set.</summary>
    internal ILogger? AuditLogger
    {
        get
        {
            var factory = LoggerFactory;
            if (factory is null)
                return null;
            var cached = _auditLogger;
            if (cached is null || !ReferenceEquals(cached.Factory, factory))
                _auditLogger = cached = new CachedLogger(factory, factory.CreateLogger("AuditGen"));
            return cached.Logger;
        }
    }

    private sealed record CachedLogger(ILoggerFactory Factory, ILogger Logger);
}
