using System.Globalization;
using System.Text;
using AuditGen.Integrity.Merkle;

namespace AuditGen.Integrity.Checkpoints;

/// <summary>
/// Store-agnostic check of a trail against a signed checkpoint (DESIGN §4). Feed it every record that passed the chain
/// check, in order, with its leaf hash (<see cref="Observe"/>); it rebuilds the Merkle root as it goes, compares it with
/// the checkpoint at the checkpoint's size, and checks each <c>checkpoint_signed</c> record the trail carries: one
/// signed by the checkpoint's key (same origin) whose root matches the records before it is authentic history.
/// <see cref="Complete"/> then tells a cut tail (<see cref="VerificationFailure.Truncated"/>) from an older signed copy
/// (<see cref="VerificationFailure.RolledBack"/>) from another chain (<see cref="VerificationFailure.Swapped"/>).
/// </summary>
internal sealed class CheckpointVerifier
{
    private readonly SignedCheckpoint _external;
    private readonly MerkleTree _tree = new(new DiscardingMerkleNodeStore());
    private byte[]? _rootAtCheckpoint;
    private long _authenticPrefix;
    private bool _endsAtAuthenticCheckpoint;
    private bool _foreignCheckpoints;
    private (long Sequence, string Reason)? _inconsistency;

    public CheckpointVerifier(SignedCheckpoint external)
    {
        _external = external;
        if (external.Checkpoint.TreeSize == 0)
            _rootAtCheckpoint = _tree.Root();
    }

    /// <summary>The checkpoint verified against.</summary>
    public SignedCheckpoint External => _external;

    /// <summary>Takes the next verified record (sequence = the tree size so far; <see langword="null"/> for a pruned stub, never a checkpoint) and its leaf hash.</summary>
    public void Observe(AuditRecord? record, ReadOnlySpan<byte> leaf)
    {
        _endsAtAuthenticCheckpoint = false;
        if (record?.Action == AuditAction.CheckpointSigned)
            CheckInTrailCheckpoint(record);
        _tree.Append(leaf);
        if (_tree.Size == _external.Checkpoint.TreeSize)
            _rootAtCheckpoint = _tree.Root();
    }

    /// <summary>The failure, or <see langword="null"/> when the trail agrees with the checkpoint. Call after a valid chain.</summary>
    public VerificationResult Complete(VerificationResult chain)
    {
        var size = _tree.Size;
        var wanted = _external.Checkpoint.TreeSize;
        var named = Describe(_external);
        if (_inconsistency is { } inconsistency)
            return Fail(chain, inconsistency.Sequence, VerificationFailure.Swapped, inconsistency.Reason);

        if (size >= wanted)
        {
            if (_rootAtCheckpoint.AsSpan().SequenceEqual(_external.Checkpoint.RootHash))
                return chain with { Checkpoint = _external };
            var from = Math.Min(_authenticPrefix, wanted);
            return Fail(chain, from, VerificationFailure.Swapped,
                $"The first {wanted} records hash to root {Hex(_rootAtCheckpoint!)}, not to the root of {named}: " +
                (from == 0
                    ? "the store holds another chain (no checkpoint in it is signed by that key)."
                    : $"records from sequence {from} on were replaced (the last authentic checkpoint in the trail covers {from} records)."));
        }

        if (_foreignCheckpoints && _authenticPrefix == 0)
            return Fail(chain, 0, VerificationFailure.Swapped,
                $"The trail holds {size} records, fewer than the {wanted} of {named}, and the checkpoints it carries are signed by another key or log: the store holds another chain.");
        if (_endsAtAuthenticCheckpoint)
            return Fail(chain, size, VerificationFailure.RolledBack,
                $"The trail ends with its own signed checkpoint of {size - 1} records, an earlier state of the log, but {named} commits to {wanted}: " +
                $"it was rolled back to an older copy; records {size} to {wanted - 1} and everything after are missing.");
        return Fail(chain, size, VerificationFailure.Truncated,
            $"The trail ends at sequence {size - 1} but {named} commits to {wanted}: records {size} to {wanted - 1} were cut off.");
    }

    private void CheckInTrailCheckpoint(AuditRecord record)
    {
        SignedCheckpoint inTrail;
        try
        {
            inTrail = CheckpointRecords.Read(record, verifier: null);
        }
        catch (FormatException e)
        {
            _inconsistency ??= (_authenticPrefix, $"The checkpoint_signed record at sequence {record.Sequence} is malformed: {e.Message}");
            return;
        }

        var key = _external.SignedBy;
        var ours = inTrail.Checkpoint.Origin == _external.Checkpoint.Origin
            && (key is null || SignedNote.Parse(inTrail.NoteText).Signatures.Any(s => s.Name == key.Name && s.KeyId == key.KeyId));
        if (!ours)
        {
            _foreignCheckpoints = true;
            return;
        }
        if (key is not null && !Verifies(inTrail.NoteText, key))
        {
            _inconsistency ??= (_authenticPrefix, $"The checkpoint_signed record at sequence {record.Sequence} claims a signature by key '{key.Name}' that does not verify: it was forged.");
            return;
        }
        if (inTrail.Checkpoint.TreeSize != record.Sequence || !_tree.Root().AsSpan().SequenceEqual(inTrail.Checkpoint.RootHash))
        {
            _inconsistency ??= (_authenticPrefix,
                $"The signed checkpoint recorded at sequence {record.Sequence} ({inTrail.Checkpoint.TreeSize} records, root {inTrail.Checkpoint.RootHex[..12]}…) " +
                $"does not match the {record.Sequence} records before it: they were replaced after it was signed.");
            return;
        }
        _authenticPrefix = record.Sequence;
        _endsAtAuthenticCheckpoint = true;
    }

    private static bool Verifies(string note, NoteVerifier key)
    {
        try
        {
            SignedNote.Open(note, key);
            return true;
        }
        catch (SignedNoteException)
        {
            return false;
        }
    }

    private VerificationResult Fail(VerificationResult chain, long sequence, VerificationFailure failure, string reason) => chain with
    {
        FirstBrokenSequence = sequence,
        Failure = failure,
        Reason = reason,
        Checkpoint = _external,
    };

    internal static string Describe(SignedCheckpoint checkpoint)
    {
        var text = new StringBuilder("checkpoint '")
            .Append(checkpoint.Checkpoint.Origin).Append("' of ")
            .Append(checkpoint.Checkpoint.TreeSize.ToString(CultureInfo.InvariantCulture)).Append(" records (root ")
            .Append(checkpoint.Checkpoint.RootHex[..12]).Append('…');
        text.Append(checkpoint.SignedBy is { } key ? $", signed by {key.Name} {key.KeyId:x8})" : ", signature not checked)");
        return text.ToString();
    }

    private static string Hex(byte[] hash) => HashHex.Encode(hash)[..12] + "…";
}
