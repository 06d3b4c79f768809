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

    /// <summary>
    /// The folder of the vault: the subject keys and the encrypted sealed payloads, kept OUTSIDE the trail's store so that
    /// destroying a key destroys it (a database keeps old row versions, WAL and backups of whatever it stored).
    /// </summary>
    /// <remarks>
    /// Required for a PostgreSQL trail (it has no file of its own to put the vault beside); use a local, fsync-honouring
    /// disk that is backed up separately from the database, if at all (a backup of the vault taken before an erasure
    /// holds the destroyed keys). For a LiteDB trail it is optional: the default is the folder <c>{database}.vault</c>
    /// beside the database file; when set, the LiteDB trail uses it instead (and so must every later open of that trail).
    /// A vault has one writer at a time (the folder's <c>writer.lock</c>): a second writer, in this or another process,
    /// is refused; readers may open it beside the writer.
    /// </remarks>
    public string? VaultDirectory { get; set; }

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

    /// <summary>The vault folder as a full path, or null when none is set.</summary>
    /// <exception cref="AuditTrailException">The folder is blank or not a valid path.</exception>
    internal string? ValidatedVaultDirectory()
    {
        if (VaultDirectory is null)
            return null;
        const string option = $"{nameof(AuditTrailOptions)}.{nameof(AuditTrailOptions.Erasure)}.{nameof(VaultDirectory)}";
        if (string.IsNullOrWhiteSpace(VaultDirectory))
            throw new AuditTrailException($"{option} is blank: set it to the folder that holds the vault, or leave it null.");
        try
        {
            return Path.GetFullPath(VaultDirectory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new AuditTrailException($"{option} '{VaultDirectory}' is not a valid path: {e.Message}", e);
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
