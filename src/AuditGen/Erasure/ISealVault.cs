namespace AuditGen.Erasure;

/// <summary>
/// Where sealed payloads and the subject keys that decrypt them live, beside a trail: the store half of erasure. The
/// LiteDB trail keeps one in files (<see cref="FileSealVault"/>); another store implements this for itself. A vault only
/// stores bytes: encryption and commitments are <see cref="SealCrypto"/>'s.
/// </summary>
internal interface ISealVault : IDisposable
{
    /// <summary>Where the vault is, for messages.</summary>
    string Location { get; }

    /// <summary>The live key of <paramref name="pseudonym"/>, creating one (random seed, durable before this returns) if it has none.</summary>
    VaultKey LiveKey(ReadOnlySpan<byte> pseudonym, DateTimeOffset now);

    /// <summary>The key numbered <paramref name="keyNumber"/>, or null when the vault never had it.</summary>
    VaultKey? Key(long keyNumber);

    /// <summary>Every key ever made for <paramref name="pseudonym"/>, live and erased.</summary>
    IReadOnlyList<VaultKey> KeysOf(ReadOnlySpan<byte> pseudonym);

    /// <summary>Appends the frames and makes them durable before returning.</summary>
    void Write(IReadOnlyList<VaultFrame> frames);

    /// <summary>The frames stored under key <paramref name="keyNumber"/> for <paramref name="recordId"/> (empty for an erased key).</summary>
    IReadOnlyList<VaultFrame> Frames(long keyNumber, Guid recordId);

    /// <summary>
    /// Destroys every live key of <paramref name="pseudonym"/> (the seed overwritten with zeros, durably) and then deletes
    /// their payloads. Safe to repeat: an erased key's leftover payload file is deleted again.
    /// </summary>
    VaultErasure Erase(ReadOnlySpan<byte> pseudonym, DateTimeOffset now);

    /// <summary>Every file the vault owns, for audits of what is on disk.</summary>
    IReadOnlyList<string> Files();
}

/// <summary>One subject key slot: live (with its seed) or erased (seed gone).</summary>
internal sealed record VaultKey(long KeyNumber, byte[] Pseudonym, byte[]? Seed, DateTimeOffset CreatedAt, DateTimeOffset? ErasedAt)
{
    /// <summary>Whether the key was destroyed.</summary>
    public bool IsErased => Seed is null;
}

/// <summary>One sealed value in the vault: AES-256-GCM ciphertext of <c>opening ‖ payload</c> with its tag.</summary>
internal sealed record VaultFrame(long KeyNumber, Guid RecordId, int Index, byte[] Commitment, byte[] Tag, byte[] Ciphertext);

/// <summary>What an erasure destroyed.</summary>
/// <param name="KeysDestroyed">Live keys whose seeds were overwritten now.</param>
/// <param name="KeysAlreadyErased">Keys of the subject that an earlier erasure had destroyed.</param>
/// <param name="SealedValues">Sealed values (frames) deleted with the payloads.</param>
/// <param name="Records">Distinct records those values belonged to.</param>
internal sealed record VaultErasure(int KeysDestroyed, int KeysAlreadyErased, int SealedValues, int Records);
