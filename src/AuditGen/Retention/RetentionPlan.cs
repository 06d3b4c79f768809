using System.Text.Json;
using AuditGen.Canonical;

namespace AuditGen.Retention;

/// <summary>Per-policy counts of a <see cref="RetentionPlan"/>.</summary>
/// <param name="Policy">The deciding policy.</param>
/// <param name="Records">Records it decides.</param>
/// <param name="Expired">Of those, expired and not held: selected for archiving.</param>
/// <param name="Held">Expired but kept by a legal hold.</param>
/// <param name="Kept">Not expired yet.</param>
/// <param name="Hot">Inside the policy's hot window.</param>
public sealed record RetentionPolicyCount(RetentionPolicy Policy, long Records, long Expired, long Held, long Kept, long Hot);

/// <summary>How many expired records one active legal hold keeps (a record covered by two holds counts for both).</summary>
public sealed record LegalHoldEffect(LegalHold Hold, long RecordsHeld);

/// <summary>
/// A dry run of retention at one instant: which records would be archived and why, which are held back and by which
/// hold, counts per policy. Making one reads the trail and writes nothing. Deterministic: the same trail, policies,
/// holds and instant give the same plan. Only the selected sequences are kept in memory.
/// </summary>
public sealed class RetentionPlan
{
    private RetentionPlan(DateTimeOffset at, RetentionPolicySet policies, bool policySetChanged, IReadOnlyList<LegalHold> activeHolds)
    {
        At = at;
        Policies = policies;
        PolicySetChanged = policySetChanged;
        ActiveHolds = activeHolds;
    }

    /// <summary>The instant planned for.</summary>
    public DateTimeOffset At { get; }

    /// <summary>The policies planned by.</summary>
    public RetentionPolicySet Policies { get; }

    /// <summary>Whether <see cref="Policies"/> differs from the last <c>retention_policy_changed</c> record (applying records it first).</summary>
    public bool PolicySetChanged { get; }

    /// <summary>The legal holds in force when the plan was made.</summary>
    public IReadOnlyList<LegalHold> ActiveHolds { get; }

    /// <summary>The sequences of the records that would be archived, ascending.</summary>
    public IReadOnlyList<long> Sequences => _sequences;

    /// <summary>Records read.</summary>
    public long RecordsEvaluated { get; private set; }

    /// <summary>Lifecycle records (never expire).</summary>
    public long Lifecycle { get; private set; }

    /// <summary>Expired records kept by a hold.</summary>
    public long Held { get; private set; }

    /// <summary>Records not expired yet (and an expired newest record, which is never archived: see <see cref="RetentionDisposition.Newest"/>).</summary>
    public long Kept { get; private set; }

    /// <summary>Counts per deciding policy, by policy name (ordinal), only policies that decide at least one record.</summary>
    public IReadOnlyList<RetentionPolicyCount> PerPolicy => _perPolicy.Values.Select(c => c.ToCount()).ToList();

    /// <summary>Every active hold with how many expired records it keeps, in placement order.</summary>
    public IReadOnlyList<LegalHoldEffect> Holds => ActiveHolds.Select(h => new LegalHoldEffect(h, _heldByHold.GetValueOrDefault(h.Id))).ToList();

    /// <summary>The earliest instant after <see cref="At"/> at which a kept record expires, or <see langword="null"/> when none will.</summary>
    public DateTimeOffset? NextExpiry { get; private set; }

    private readonly List<long> _sequences = [];
    private readonly SortedDictionary<string, Counter> _perPolicy = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, long> _heldByHold = [];

    /// <summary>
    /// Plans retention over <paramref name="trail"/> at <paramref name="at"/> (default: now on the trail's clock) under
    /// <paramref name="policies"/> (default: the trail's <see cref="AuditTrailOptions.Retention"/>) and the holds active now.
    /// </summary>
    /// <param name="trail">The trail (any store); nothing is written to it.</param>
    /// <param name="policies">The policies; <see langword="null"/>: from the trail's options.</param>
    /// <param name="at">The instant; <see langword="null"/>: the trail's <see cref="AuditTrailOptions.TimeProvider"/> now.</param>
    /// <param name="observe">Called with every record's decision, in sequence order (to list them as they come).</param>
    /// <param name="progress">Receives the number of records evaluated so far, every 4,096 records.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    /// <exception cref="RetentionConfigurationException">The trail's retention options are invalid.</exception>
    public static async Task<RetentionPlan> CreateAsync(IAuditTrail trail, RetentionPolicySet? policies = null, DateTimeOffset? at = null,
        Action<RetentionDecision>? observe = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trail);
        policies ??= RetentionPolicySet.Create(trail.Options.Retention);
        var instant = (at ?? trail.Options.TimeProvider.GetUtcNow()).ToUniversalTime();
        var holds = await LegalHolds.ReadActiveAsync(trail, cancellationToken).ConfigureAwait(false);
        var changed = await RetentionPolicyRecords.DiffersFromRecordedAsync(trail, policies, cancellationToken).ConfigureAwait(false);
        var plan = new RetentionPlan(instant, policies, changed, holds);
        // Each decision is taken in once the next one is seen: only then is it known not to be the chain's newest record.
        RetentionDecision? previous = null;
        await foreach (var decision in RetentionPlanner.EvaluateAsync(trail, policies, holds, instant, cancellationToken).ConfigureAwait(false))
        {
            if (previous is { } earlier)
                plan.Take(earlier, observe);
            previous = decision;
            if (progress is not null && (plan.RecordsEvaluated + 1) % 4096 == 0)
                progress.Report(plan.RecordsEvaluated + 1);
        }
        if (previous is { } newest)
            plan.Take(newest.Disposition == RetentionDisposition.Expired ? newest with { Disposition = RetentionDisposition.Newest } : newest, observe);
        progress?.Report(plan.RecordsEvaluated);
        return plan;
    }

    private void Take(in RetentionDecision decision, Action<RetentionDecision>? observe)
    {
        Add(decision);
        observe?.Invoke(decision);
    }

    private void Add(in RetentionDecision decision)
    {
        RecordsEvaluated++;
        if (decision.Disposition == RetentionDisposition.Lifecycle)
        {
            Lifecycle++;
            return;
        }
        var policy = decision.Policy!;
        if (!_perPolicy.TryGetValue(policy.Name, out var counter))
            _perPolicy[policy.Name] = counter = new Counter(policy);
        counter.Records++;
        if (decision.Hot)
            counter.Hot++;
        switch (decision.Disposition)
        {
            case RetentionDisposition.Expired:
                counter.Expired++;
                _sequences.Add(decision.Sequence);
                break;
            case RetentionDisposition.Held:
                counter.Held++;
                Held++;
                foreach (var hold in decision.HeldBy)
                    _heldByHold[hold.Id] = _heldByHold.GetValueOrDefault(hold.Id) + 1;
                break;
            case RetentionDisposition.Newest:
                counter.Kept++;
                Kept++;
                break;
            default:
                counter.Kept++;
                Kept++;
                if (decision.ExpiresAt is { } expiry && (NextExpiry is null || expiry < NextExpiry))
                    NextExpiry = expiry;
                break;
        }
    }

    /// <summary>
    /// The plan's "why" as a canonical JSON object, for the <c>retention_applied</c> record: the instant, the policy set
    /// (fingerprint and full canonical form), counts per policy, the holds that kept records back, and the number and
    /// sequence bounds of the records archived. Each record's own reason follows from these (its domains and timestamp
    /// under the recorded policy set), so it is not repeated per record.
    /// </summary>
    public string ToDetailsJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("at", AuditRecordCodec.FormatTimestamp(new DateTimeOffset(At.UtcTicks - At.UtcTicks % 10, TimeSpan.Zero)));
            json.WriteString("policySetFingerprint", Policies.Fingerprint);
            json.WritePropertyName("policySet");
            json.WriteRawValue(Policies.ToCanonicalJson(), skipInputValidation: true);
            json.WriteNumber("evaluated", RecordsEvaluated);
            json.WriteNumber("archived", _sequences.Count);
            if (_sequences.Count > 0)
            {
                json.WriteNumber("firstSequence", _sequences[0]);
                json.WriteNumber("lastSequence", _sequences[^1]);
            }
            json.WriteNumber("held", Held);
            json.WriteNumber("kept", Kept);
            json.WriteNumber("lifecycle", Lifecycle);
            json.WriteStartObject("policies");
            foreach (var count in PerPolicy)
            {
                json.WriteStartObject(count.Policy.Name);
                json.WriteString("retention", count.Policy.Retention.ToString());
                json.WriteNumber("records", count.Records);
                json.WriteNumber("archived", count.Expired);
                json.WriteNumber("held", count.Held);
                json.WriteNumber("kept", count.Kept);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteStartArray("holds");
            foreach (var effect in Holds)
            {
                json.WriteStartObject();
                json.WriteString("holdId", AuditRecordCodec.FormatId(effect.Hold.Id));
                json.WriteString("scope", effect.Hold.Scope.ToString());
                json.WriteString("reason", effect.Hold.Reason);
                json.WriteNumber("held", effect.RecordsHeld);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return JsonCanonicalizer.Canonicalize(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private sealed class Counter(RetentionPolicy policy)
    {
        public long Records, Expired, Held, Kept, Hot;

        public RetentionPolicyCount ToCount() => new(policy, Records, Expired, Held, Kept, Hot);
    }
}
