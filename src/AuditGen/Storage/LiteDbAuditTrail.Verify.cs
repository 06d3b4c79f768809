using AuditGen.Canonical;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;
using AuditGen.Storage;
using AuditGen.Storage.Journal;
using AuditGen.Telemetry;
using LiteDB;

namespace AuditGen;

public sealed partial class LiteDbAuditTrail
{
    /// <inheritdoc />
    /// <remarks>
    /// Three checks run in one pass, and the earliest broken sequence wins (ties go to the first listed):
    /// the query store's chain (LiteDB documents in <c>_id</c> order, then journal records it has not indexed yet);
    /// the journal's own chain; and agreement of the two copies (the LiteDB document at each position must carry the
    /// hash of the journal frame of that sequence: <see cref="VerificationFailure.JournalMismatch"/>).
    /// </remarks>
    public ValueTask<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) => VerifyAsync(null, null, cancellationToken);

    /// <summary>
    /// Verifies the trail as <see cref="VerifyAsync(CancellationToken)"/> does and, when <paramref name="checkpoint"/> is
    /// given, against that signed checkpoint: the first <c>TreeSize</c> records must hash to its root, and every
    /// checkpoint the trail carries must be consistent with it. A trail that is shorter, older or another chain fails
    /// with <see cref="VerificationFailure.Truncated"/>, <see cref="VerificationFailure.RolledBack"/> or
    /// <see cref="VerificationFailure.Swapped"/>, naming the checkpoint (<see cref="VerificationResult.Checkpoint"/>).
    /// Chain failures come first: they name the exact record.
    /// </summary>
    /// <param name="checkpoint">The checkpoint, ideally from outside the trail's host (an export or a witness), read with its key.</param>
    /// <param name="progress">Receives the number of records checked so far, every few thousand records.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    public async ValueTask<VerificationResult> VerifyAsync(SignedCheckpoint? checkpoint, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var result = await Task.Run(() => new TrailVerification(this, checkpoint is null ? null : new CheckpointVerifier(checkpoint), progress, cancellationToken).Run(),
            cancellationToken).ConfigureAwait(false);
        AuditGenTelemetry.VerificationCompleted(result);
        return result;
    }

    /// <summary>A pruned stub met by the verification: its sequence, chain hash, leaf and segment.</summary>
    private delegate void StubObserver(long sequence, string hash, ReadOnlySpan<byte> leaf, string segment);

    /// <summary>One verification pass over the query store and the journal in lockstep.</summary>
    private sealed class TrailVerification
    {
        private const int ProgressEvery = 4096;
        private readonly LiteDbAuditTrail trail;
        private readonly CancellationToken cancellationToken;
        private readonly CheckpointVerifier? _checkpoint;
        private readonly IProgress<long>? _progress;
        private readonly ChainVerifier _store;
        private long _accepted;

        public TrailVerification(LiteDbAuditTrail trail, CheckpointVerifier? checkpoint, IProgress<long>? progress, CancellationToken cancellationToken)
        {
            this.trail = trail;
            this.cancellationToken = cancellationToken;
            _checkpoint = checkpoint;
            _progress = progress;
            _store = new ChainVerifier(checkpoint is null && progress is null ? null : Accepted);
        }

        private void Accepted(AuditRecord? record, ReadOnlySpan<byte> leaf)
        {
            _checkpoint?.Observe(record, leaf);
            if (++_accepted % ProgressEvery == 0)
                _progress?.Report(_accepted);
        }

        private readonly ChainVerifier _journalChain = new();
        private VerificationResult? _mismatch;
        private JournalReader _reader = null!;
        private JournalFrameHeader? _lastFrame;
        private bool _lastFrameIsStub;

        public VerificationResult Run()
        {
            var writer = trail._writer;
            var sink = trail._sink;
            // No frame is rewritten into a stub while this pass reads (archival waits for it).
            using var rewrites = trail._rewriteGate.Read();
            using var stream = trail._journal.OpenRead();
            using var reader = new JournalReader(stream, trail._journal.Path, sink is null ? null : () => sink.DurableLength);
            _reader = reader;
            if (reader.HeaderProblem is { } headerProblem && headerProblem != "torn")
                return Failed(0, VerificationFailure.Malformed, $"The journal '{trail._journal.Path}' is not an AuditGen journal: {headerProblem}.");

            var storeEnd = VerifyStore();
            AdvanceJournal(storeEnd - 1);
            while (reader.TryReadNext(out var frame))
                Feed(frame, alsoStore: frame.Header.Sequence >= storeEnd);

            VerificationResult? journalDamage = null;
            if (reader.Problem is { } problem
                && (writer is not null || JournalTail.ExplainCorruption(stream, reader.Offset, reader.LastHeader, storeEnd) is not null))
                journalDamage = Failed(reader.FrameCount, VerificationFailure.Malformed, $"The journal is damaged: {problem}.");

            var storeResult = _store.Complete();
            var journalResult = _journalChain.Complete();
            if (!journalResult.IsValid)
                journalResult = journalResult with { Reason = $"Journal '{trail._journal.Path}': {journalResult.Reason}" };
            VerificationResult? first = null;
            foreach (var candidate in new[] { storeResult, journalResult, journalDamage, _mismatch })
                if (candidate is { IsValid: false } && (first is null || candidate.FirstBrokenSequence < first.FirstBrokenSequence))
                    first = candidate;
            _progress?.Report(_accepted);
            if (first is not null)
                return _checkpoint is null ? first : first with { Checkpoint = _checkpoint.External };
            return _checkpoint?.Complete(storeResult) ?? storeResult;
        }

        // Streams LiteDB in _id order; returns one past the last position seen.
        private long VerifyStore()
        {
            var after = -1L;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The primary-key index scan yields documents in _id order.
                var page = trail._records.Query().Where(Query.GT("_id", after)).Limit(PageSize).ToList();
                foreach (var document in page)
                {
                    long position;
                    try
                    {
                        position = LiteDbRecordMapping.PositionOf(document);
                    }
                    catch (FormatException e)
                    {
                        _store.ObserveMalformed(after + 1, e.Message);
                        return after + 1;
                    }

                    AdvanceJournal(position);
                    CompareWithJournal(position, document);
                    try
                    {
                        if (LiteDbStubs.IsStub(document))
                        {
                            var (hash, leaf, _) = LiteDbStubs.Read(document);
                            _store.ObserveStub(position, hash, leaf);
                        }
                        else
                        {
                            _store.Observe(position, LiteDbRecordMapping.FromDocument(document));
                        }
                    }
                    catch (FormatException e)
                    {
                        _store.ObserveMalformed(position, e.Message);
                    }
                    after = position;
                }
                if (page.Count < PageSize)
                    return after + 1;
            }
        }

        private void CompareWithJournal(long position, BsonDocument document)
        {
            if (_mismatch is not null)
                return;
            if (_reader.FrameCount <= position)
            {
                _mismatch = Failed(position, VerificationFailure.JournalMismatch,
                    $"The query store holds position {position}, but the durable journal ends at sequence {_reader.FrameCount - 1}.");
                return;
            }
            var storedHash = LiteDbRecordMapping.StoredHashOf(document);
            if (_lastFrame is { } frame && frame.Sequence == position && storedHash != frame.Hash)
                _mismatch = Failed(position, VerificationFailure.JournalMismatch,
                    $"Sequence {position}: the query store's record has hash {HashHex.Short(storedHash)}, the journal's has {HashHex.Short(frame.Hash)}.");
            else if (_lastFrame is { } same && same.Sequence == position && LiteDbStubs.IsStub(document) != _lastFrameIsStub)
                _mismatch = Failed(position, VerificationFailure.JournalMismatch, _lastFrameIsStub
                    ? $"Sequence {position} was archived (the journal holds its stub), but the query store still holds its content."
                    : $"Sequence {position}: the query store holds an archived record's stub, but the journal holds the record.");
        }

        // Reads journal frames up to and including sequence `upTo`, checking the journal's own chain.
        private void AdvanceJournal(long upTo)
        {
            while (_reader.FrameCount <= upTo && _reader.TryReadNext(out var frame))
                Feed(frame, alsoStore: false);
        }

        private void Feed(JournalFrame frame, bool alsoStore)
        {
            _lastFrame = frame.Header;
            var sequence = frame.Header.Sequence;
            _lastFrameIsStub = JournalStub.IsStub(frame.Payload.Span);
            if (_lastFrameIsStub)
            {
                FeedStub(frame, alsoStore);
                return;
            }
            // The journal's own chain, checked from the frame's bytes when they are laid out as the writer writes them
            // (no parse, no re-encode); anything else takes the full path below, which names the problem.
            if (!alsoStore && TryAcceptFromBytes(frame))
                return;
            AuditRecord record;
            try
            {
                record = AuditRecordCodec.Deserialize(frame.Payload.Span);
            }
            catch (FormatException e)
            {
                _journalChain.ObserveMalformed(sequence, e.Message);
                if (alsoStore)
                    _store.ObserveMalformed(sequence, $"journal record: {e.Message}");
                return;
            }
            if (record.Hash != frame.Header.Hash)
                _journalChain.ObserveMalformed(sequence, $"the frame header says hash {HashHex.Short(frame.Header.Hash)}, the record says {HashHex.Short(record.Hash)}");
            else
                _journalChain.Observe(sequence, record);
            if (alsoStore)
                _store.Observe(sequence, record);
        }

        private void FeedStub(JournalFrame frame, bool alsoStore)
        {
            var sequence = frame.Header.Sequence;
            Span<byte> leaf = stackalloc byte[ChainHasher.HashSize];
            if (!JournalStub.TryRead(frame.Payload.Span, leaf, out var segment, out var problem))
            {
                _journalChain.ObserveMalformed(sequence, $"pruned stub: {problem}");
                if (alsoStore)
                    _store.ObserveMalformed(sequence, $"journal stub: {problem}");
                return;
            }
            _journalChain.ObserveStub(sequence, frame.Header.Hash, leaf);
            if (alsoStore)
                _store.ObserveStub(sequence, frame.Header.Hash, leaf);
            StubSeen?.Invoke(sequence, frame.Header.Hash, leaf, segment!);
        }

        /// <summary>Sees every stub of the journal's chain in sequence order (the archive verification fills them).</summary>
        public StubObserver? StubSeen { get; init; }

        private bool TryAcceptFromBytes(JournalFrame frame)
        {
            Span<byte> leaf = stackalloc byte[ChainHasher.HashSize];
            Span<byte> embedded = stackalloc byte[ChainHasher.HashSize];
            Span<byte> previous = stackalloc byte[ChainHasher.HashSize];
            Span<byte> chained = stackalloc byte[ChainHasher.HashSize];
            if (_journalChain.HasFailed || !ChainHasher.TryComputeLeafOfFull(frame.Payload.Span, leaf, embedded)
                || !HashHex.TryDecode(_journalChain.PreviousHash, previous))
                return false;
            ChainHasher.ComputeChain(previous, leaf, chained);
            var hash = frame.Header.Hash;
            if (!chained.SequenceEqual(embedded) || !string.Equals(HashHex.Encode(chained), hash, StringComparison.Ordinal))
                return false;
            return _journalChain.TryAcceptVerified(frame.Header.Sequence, hash);
        }

        private static VerificationResult Failed(long sequence, VerificationFailure failure, string reason) => new()
        {
            RecordsChecked = 0,
            FirstBrokenSequence = sequence,
            Failure = failure,
            Reason = reason,
        };
    }
}
