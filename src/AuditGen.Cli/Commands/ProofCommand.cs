using System.CommandLine;
using System.Globalization;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen proof &lt;trail&gt; --seq N [--json]</c>: the RFC 6962 inclusion proof of one record, against the latest
/// signed checkpoint in the trail that covers it (or the current, unsigned root), checked before it is printed.
/// </summary>
internal static class ProofCommand
{
    public static Command Create(CliOutput io)
    {
        var target = new TrailTargetOptions();
        var sequence = new Option<long>("--seq") { Description = "The record's sequence number.", HelpName = "n", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the proof as one JSON object." };
        var command = new Command("proof",
            "Print a record's Merkle inclusion proof and the checkpoint it verifies against. Exit 0: proof verifies; 1: it does not (tampered); 2: no such record; 3: missing or unreadable.")
        {
            sequence, json,
        };
        target.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
            RunAsync(io, target.Resolve(parseResult), parseResult.GetValue(sequence), parseResult.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliOutput io, TrailTarget target, long sequence, bool json, CancellationToken cancellationToken)
    {
        var path = target.Display;
        InclusionProof proof;
        SignedCheckpoint? checkpoint;
        try
        {
            await using var trail = await target.OpenReadOnlyAsync(cancellationToken);
            var size = await trail.TreeSizeAsync(cancellationToken);
            if (sequence < 0 || sequence >= size)
            {
                io.Fail($"--seq {sequence.ToString(CultureInfo.InvariantCulture)}: the trail holds sequences 0 to {(size - 1).ToString(CultureInfo.InvariantCulture)}.");
                return ExitCodes.UsageError;
            }
            checkpoint = await trail.LatestCheckpointAsync(cancellationToken) is { } latest && latest.Checkpoint.TreeSize > sequence ? latest : null;
            proof = await trail.InclusionProofAsync(sequence, checkpoint?.Checkpoint.TreeSize ?? size, cancellationToken);
        }
        catch (Exception exception) when (target.Describe(exception) is { } message)
        {
            io.Fail(message);
            return ExitCodes.TrailUnavailable;
        }

        var root = checkpoint?.Checkpoint.RootHash ?? proof.RootHash;
        var verified = MerkleProof.VerifyInclusion(proof.LeafHash, proof.Sequence, proof.TreeSize, proof.Path, root);
        if (json)
        {
            JsonOutput.WriteLine(io.Out, w =>
            {
                w.WriteStartObject();
                w.WriteString("trail", path);
                w.WriteNumber("sequence", proof.Sequence);
                w.WriteString("leafHash", Convert.ToHexStringLower(proof.LeafHash));
                w.WriteNumber("treeSize", proof.TreeSize);
                w.WriteString("rootHash", Convert.ToHexStringLower(root));
                w.WriteStartArray("proof");
                foreach (var node in proof.Path)
                    w.WriteStringValue(Convert.ToHexStringLower(node));
                w.WriteEndArray();
                if (checkpoint is null) w.WriteNull("checkpoint");
                else w.WriteString("checkpoint", checkpoint.NoteText);
                w.WriteBoolean("verified", verified);
                w.WriteEndObject();
            });
        }
        else
        {
            var o = io.Out;
            o.WriteLine($"Trail: {path}");
            o.WriteLine($"Sequence: {proof.Sequence.ToString(CultureInfo.InvariantCulture)}");
            o.WriteLine($"Leaf hash: {Convert.ToHexStringLower(proof.LeafHash)}");
            o.WriteLine($"Tree size: {proof.TreeSize.ToString(CultureInfo.InvariantCulture)}");
            o.WriteLine($"Root hash: {Convert.ToHexStringLower(root)}");
            o.WriteLine($"Proof ({proof.Path.Count.ToString(CultureInfo.InvariantCulture)} hashes, leaf to root):");
            foreach (var node in proof.Path)
                o.WriteLine($"  {Convert.ToHexStringLower(node)}");
            if (checkpoint is null)
            {
                o.WriteLine("Checkpoint: none covers this record yet; the root is the trail's current, unsigned root.");
            }
            else
            {
                o.WriteLine("Checkpoint (signed note; verify its signature with the log's key):");
                foreach (var line in checkpoint.NoteText.TrimEnd('\n').Split('\n'))
                    o.WriteLine($"  {line}");
            }
            o.WriteLine(verified ? "Result: proof verifies against the root" : "Result: PROOF DOES NOT VERIFY against the root: the record or the tree was altered");
        }
        return verified ? ExitCodes.Success : ExitCodes.Tampered;
    }
}
