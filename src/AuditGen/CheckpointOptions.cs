using AuditGen.Integrity.Checkpoints;

namespace AuditGen;

/// <summary>
/// Signed checkpoints (DESIGN §4): every <see cref="EveryRecords"/> records or <see cref="Interval"/>, on demand and when
/// the trail closes, the writer signs the Merkle root of the records so far as a C2SP tlog-checkpoint in an Ed25519
/// signed note, appends it as a <c>checkpoint_signed</c> record and writes it to <see cref="ExportDirectory"/>. Keep the
/// exported checkpoints (or hand them to a witness) somewhere the trail's host cannot rewrite: they are what proves the
/// tail was not cut off and the store not swapped.
/// </summary>
public sealed class CheckpointOptions
{
    /// <summary>The signing key. When <see langword="null"/>, it is read from <see cref="SigningKeyPath"/>.</summary>
    public NoteSigner? Signer { get; set; }

    /// <summary>A file holding the signer key (<c>PRIVATE+KEY+…</c>, as written by <c>auditgen keys generate</c>).</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>The checkpoint origin line. Defaults to the signing key's name (the C2SP convention, and required to verify).</summary>
    public string? Origin { get; set; }

    /// <summary>Sign after this many new records. Default 1,000; 0 turns the count trigger off.</summary>
    public int EveryRecords { get; set; } = 1_000;

    /// <summary>Sign when this long has passed since the last checkpoint and records arrived. Default one minute; <see langword="null"/> turns it off.</summary>
    public TimeSpan? Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Where every checkpoint is also written: <c>checkpoint</c> (the latest, replaced atomically) and
    /// <c>checkpoint-{size}</c> (each one). <see langword="null"/>: only the <c>checkpoint_signed</c> records.
    /// </summary>
    public string? ExportDirectory { get; set; }

    /// <summary>The signer to use: <see cref="Signer"/>, or the key in <see cref="SigningKeyPath"/>.</summary>
    /// <exception cref="AuditTrailException">Neither is set, or the key file cannot be read.</exception>
    internal NoteSigner ResolveSigner()
    {
        if (Signer is { } signer)
            return signer;
        if (SigningKeyPath is not { } path)
            throw new AuditTrailException("Checkpoints are configured without a key: set CheckpointOptions.Signer or SigningKeyPath.");
        try
        {
            return NoteSigner.Load(path);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new AuditTrailException($"The checkpoint signing key '{path}' cannot be used: {e.Message}", e);
        }
    }
}
