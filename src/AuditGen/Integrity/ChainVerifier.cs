namespace AuditGen.Integrity;

/// <summary>
/// Store-agnostic streaming verifier. Feed it every stored record in storage order with its storage position
/// (<see cref="Observe"/>, or <see cref="ObserveMalformed"/> for one that cannot be read), then call
/// <see cref="Complete"/>. It reports the first broken position and why:
/// <list type="bullet">
/// <item><see cref="VerificationFailure.Malformed"/>: the stored record cannot be read;</item>
/// <item><see cref="VerificationFailure.HashMismatch"/>: the content no longer hashes to its stored hash (edited);</item>
/// <item><see cref="VerificationFailure.Gap"/>: the expected sequence is missing from the rest of the store (deleted);</item>
/// <item><see cref="VerificationFailure.Reorder"/>: the expected sequence is elsewhere (moved), repeated (inserted copy), or stored at the wrong position;</item>
/// <item><see cref="VerificationFailure.PreviousHashMismatch"/>: the record does not chain onto the one before it.</item>
/// </list>
/// Checks run in that order per record, so an edited record is reported as an edit, not as a broken link.
/// </summary>
internal sealed class ChainVerifier
{
    private readonly AcceptedRecord? _onAccepted;

    private long _expected;
    private long _checked;
    private string _previousHex = HashHex.Zero;
    private string? _headHash;
    private VerificationResult? _failure;

    // A record appeared ahead of its turn: whether it is a gap or a reorder depends on whether the missing sequence
    // appears later in the store, so the verdict waits until the end (or until it shows up).
    private long? _missingSequence;
    private string? _missingContext;

    /// <summary>Starts a chain at genesis; <paramref name="onAccepted"/> sees every record that verified, in order, with its leaf hash.</summary>
    public ChainVerifier(AcceptedRecord? onAccepted = null) => _onAccepted = onAccepted;

    /// <summary>Starts a chain that continues after a known, already-verified record.</summary>
    public ChainVerifier(long nextSequence, string previousHash)
    {
        if (!HashHex.TryDecode(previousHash, stackalloc byte[ChainHasher.HashSize]))
            throw new ArgumentException("Previous hash must be 64 lower-case hex digits.", nameof(previousHash));
        _expected = nextSequence;
        _previousHex = previousHash;
        _headHash = nextSequence > 0 ? previousHash : null;
    }

    /// <summary>Whether a failure has been determined or is pending; later records cannot change the first broken position.</summary>
    public bool HasFailed => _failure is not null || _missingSequence is not null;

    /// <summary>The sequence the next record must carry.</summary>
    public long ExpectedSequence => _expected;

    /// <summary>Checks the next stored record. Returns <see langword="false"/> once the first failure is known.</summary>
    public bool Observe(long position, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (_failure is not null)
            return false;
        if (_missingSequence is { } missing)
        {
            if (record.Sequence == missing)
                Fail(missing, VerificationFailure.Reorder,
                    $"Sequence {missing} is out of place: {_missingContext}, and sequence {missing} appears later, at storage position {position}.");
            return _failure is null;
        }

        _checked++;
        string actualHash;
        Span<byte> leaf = stackalloc byte[ChainHasher.HashSize];
        try
        {
            actualHash = ChainHasher.ComputeRecordHash(record, leaf);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return Fail(_expected, VerificationFailure.Malformed, $"Record at sequence {_expected} (storage position {position}) cannot be encoded: {e.Message}");
        }

        if (!string.Equals(actualHash, record.Hash, StringComparison.Ordinal))
            return Fail(_expected, VerificationFailure.HashMismatch,
                $"Sequence {_expected} (storage position {position}, record sequence {record.Sequence}): stored hash {HashHex.Short(record.Hash)} " +
                $"but its content hashes to {HashHex.Short(actualHash)}; a field was edited.");

        if (record.Sequence < _expected)
            return Fail(_expected, VerificationFailure.Reorder,
                $"Sequence {_expected} expected at storage position {position}, but the record there carries sequence {record.Sequence}, " +
                "which came earlier: a record is repeated or out of order.");

        if (record.Sequence > _expected || position > _expected)
        {
            _missingSequence = _expected;
            _missingContext = record.Sequence > _expected
                ? $"storage position {position} holds sequence {record.Sequence} where sequence {_expected} belongs"
                : $"the store skips from position {_expected - 1} to {position}";
            if (record.Sequence == _expected)
                return Fail(_expected, VerificationFailure.Reorder,
                    $"Sequence {_expected} is stored at position {position}, not at position {_expected}.");
            return true;
        }

        if (!string.Equals(record.PreviousHash, _previousHex, StringComparison.Ordinal))
            return Fail(_expected, VerificationFailure.PreviousHashMismatch,
                $"Sequence {_expected}: previous hash {HashHex.Short(record.PreviousHash)} does not match " +
                $"{(_expected == 0 ? "the genesis hash" : $"the hash of sequence {_expected - 1}")} {HashHex.Short(_previousHex)}.");

        if (position != _expected)
            return Fail(_expected, VerificationFailure.Reorder, $"Sequence {_expected} is stored at position {position}, not at position {_expected}.");

        _previousHex = record.Hash;
        _headHash = record.Hash;
        _expected++;
        _onAccepted?.Invoke(record, leaf);
        return true;
    }

    /// <summary>
    /// Accepts the next record when the caller has already checked, from its stored bytes, that it hashes to
    /// <paramref name="hash"/> chained onto <see cref="PreviousHash"/> at <paramref name="position"/>. Returns
    /// <see langword="false"/> (and changes nothing) when the chain is not in a state to take it that way: the caller
    /// then calls <see cref="Observe"/>, which gives the precise diagnosis. Not for verifiers with an accepted-record observer.
    /// </summary>
    public bool TryAcceptVerified(long position, string hash)
    {
        if (_failure is not null || _missingSequence is not null || position != _expected || _onAccepted is not null)
            return false;
        _checked++;
        _previousHex = hash;
        _headHash = hash;
        _expected++;
        return true;
    }

    /// <summary>The hash the next record must chain onto.</summary>
    public string PreviousHash => _previousHex;

    /// <summary>
    /// Checks the next stored entry when it is a pruned stub (an archived record whose content left the live store): it
    /// keeps only its chain hash and leaf, so its link is checked as <c>hash == SHA-256("auditgen:v1" ‖ previous ‖ leaf)</c>.
    /// The archived record itself is checked against the stub by the archive verification.
    /// </summary>
    public bool ObserveStub(long position, string hash, ReadOnlySpan<byte> leaf)
    {
        if (_failure is not null)
            return false;
        if (_missingSequence is { } missing)
        {
            if (position == missing)
                Fail(missing, VerificationFailure.Reorder,
                    $"Sequence {missing} is out of place: {_missingContext}, and a stub of sequence {missing} appears later.");
            return _failure is null;
        }
        _checked++;
        if (position < _expected)
            return Fail(_expected, VerificationFailure.Reorder,
                $"Sequence {_expected} expected, but a pruned stub of sequence {position}, which came earlier, is stored: a record is repeated or out of order.");
        if (position > _expected)
        {
            _missingSequence = _expected;
            _missingContext = $"the store skips from position {_expected - 1} to {position}";
            return true;
        }

        Span<byte> previous = stackalloc byte[ChainHasher.HashSize];
        Span<byte> chained = stackalloc byte[ChainHasher.HashSize];
        if (!HashHex.TryDecode(_previousHex, previous))
            return Fail(_expected, VerificationFailure.Malformed, $"The hash before sequence {_expected} is not 64 lower-case hex digits.");
        ChainHasher.ComputeChain(previous, leaf, chained);
        var expectedHash = HashHex.Encode(chained);
        if (!string.Equals(expectedHash, hash, StringComparison.Ordinal))
            return Fail(_expected, VerificationFailure.HashMismatch,
                $"Sequence {_expected} (pruned stub): stored hash {HashHex.Short(hash)}, but its leaf chained onto " +
                $"{(_expected == 0 ? "the genesis hash" : $"the hash of sequence {_expected - 1}")} gives {HashHex.Short(expectedHash)}; the stub or its neighbour was edited.");

        _previousHex = hash;
        _headHash = hash;
        _expected++;
        _onAccepted?.Invoke(null, leaf);
        return true;
    }

    /// <summary>Reports a stored record that could not be read back as a record.</summary>
    public bool ObserveMalformed(long position, string problem)
    {
        if (_failure is not null)
            return false;
        if (_missingSequence is not null)
            return true;
        _checked++;
        return Fail(_expected, VerificationFailure.Malformed, $"Record at sequence {_expected} (storage position {position}) is malformed: {problem}");
    }

    /// <summary>The verdict over everything observed.</summary>
    public VerificationResult Complete()
    {
        if (_failure is null && _missingSequence is { } missing)
            Fail(missing, VerificationFailure.Gap, $"Sequence {missing} is missing: {_missingContext}, and sequence {missing} appears nowhere after it; a record was deleted.");
        return _failure ?? new VerificationResult { RecordsChecked = _checked, HeadHash = _headHash };
    }

    private bool Fail(long sequence, VerificationFailure failure, string reason)
    {
        _failure = new VerificationResult
        {
            RecordsChecked = _checked,
            FirstBrokenSequence = sequence,
            Failure = failure,
            Reason = reason,
            HeadHash = _headHash,
        };
        _missingSequence = null;
        return false;
    }
}

/// <summary>A record that verified and chained, with its leaf hash (its Merkle leaf); <see langword="null"/> for a pruned stub.</summary>
internal delegate void AcceptedRecord(AuditRecord? record, ReadOnlySpan<byte> leaf);
