namespace AuditGen.Erasure;

/// <summary>
/// Erasure by crypto-shredding (GDPR Art. 17): what a trail needs to keep <see cref="RedactionStrategy.Seal"/>ed values
/// and to erase a data subject. Set <see cref="AuditTrailOptions.Erasure"/>; validated when the trail is opened.
/// </summary>
/// <remarks>
/// The commitment key <c>kc</c> is a secret like the HMAC key: keep it off the trail's disk (a secret store, an
/// environment variable). It keys the records' commitments, the subject pseudonyms and the derivation of every
/// subject's encryption key, so a copy of the disk without it reads no sealed value, erased or not.
/// </remarks>
public sealed class ErasureOptions
{
    /// <summary>The shortest commitment key accepted (the SHA-256 output size).</summary>
    public const int MinimumKeyLength = 32;

    private SealingKeys? _keys;

    /// <summary>The commitment key <c>kc</c>: at least <see cref="MinimumKeyLength"/> random bytes.</summary>
    public byte[]? CommitmentKey { get; set; }

    /// <summary>The key schedule for <see cref="CommitmentKey"/>, rebuilt only if the key is replaced.</summary>
    /// <exception cref="AuditTrailException">No key, or one shorter than <see cref="MinimumKeyLength"/>.</exception>
    internal SealingKeys Keys
    {
        get
        {
            var keys = _keys;
            if (keys is null || !keys.IsFor(CommitmentKey))
                _keys = keys = new SealingKeys(Validated());
            return keys;
        }
    }

    /// <summary>The key, checked.</summary>
    /// <exception cref="AuditTrailException">No key, or one shorter than <see cref="MinimumKeyLength"/>.</exception>
    internal byte[] Validated()
    {
        var key = CommitmentKey;
        if (key is null)
            throw new AuditTrailException(
                $"{nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.Erasure)} is set but has no {nameof(CommitmentKey)}: " +
                $"set it to a secret of at least {MinimumKeyLength} random bytes.");
        if (key.Length < MinimumKeyLength)
            throw new AuditTrailException(
                $"{nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.Erasure)}.{nameof(CommitmentKey)} has {key.Length} bytes, " +
                $"fewer than the {MinimumKeyLength} required: use a secret of at least {MinimumKeyLength} random bytes.");
        return key;
    }
}
