using System.CommandLine;
using System.Globalization;
using AuditGen.Cli.Output;
using AuditGen.Cli.Trails;
using AuditGen.Integrity;
using AuditGen.Integrity.Checkpoints;

namespace AuditGen.Cli.Commands;

/// <summary>
/// <c>auditgen consistency &lt;trail&gt; --from FILE --to FILE [--key PUBKEY]</c>: proves from the trail's tree that the
/// log of the older checkpoint is a prefix of the newer one (it only grew), and checks the proof against both roots.
/// </summary>
internal static class ConsistencyCommand
{
    public static Command Create(CliOutput io)
    {
        var target = new TrailTargetOptions();
        var from = new Option<string>("--from") { Description = "The older signed checkpoint file.", HelpName = "file", Required = true };
        var to = new Option<string>("--to") { Description = "The newer signed checkpoint file.", HelpName = "file", Required = true };
        var key = new Option<string?>("--key") { Description = "Verifier key (text or file) both checkpoints must be signed with.", HelpName = "pubkey" };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object." };
        var command = new Command("consistency",
            "Prove that the --to checkpoint extends the --from checkpoint. Exit 0: consistent; 1: not (the log was rewritten, or the trail lacks records); 2: usage; 3: missing or unreadable; 4: bad checkpoint or key.")
        {
            from, to, key, json,
        };
        target.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => RunAsync(io, target.Resolve(parseResult),
            parseResult.GetRequiredValue(from), parseResult.GetRequiredValue(to), parseResult.GetValue(key), parseResult.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliOutput io, TrailTarget target, string fromPath, string toPath, string? key, bool json,
        CancellationToken cancellationToken)
    {
        var path = target.Display;
        SignedCheckpoint older, newer;
        try
        {
            older = CheckpointFile.Read(fromPath, key);
            newer = CheckpointFile.Read(toPath, key);
        }
        catch (CheckpointUnusableException e)
        {
            io.Fail(e.Message);
            return ExitCodes.CheckpointInvalid;
        }
        var (size1, size2) = (older.Checkpoint.TreeSize, newer.Checkpoint.TreeSize);
        if (size1 == 0 || size1 > size2)
        {
            io.Fail($"--from must be a non-empty checkpoint no larger than --to (sizes {size1.ToString(CultureInfo.InvariantCulture)} and {size2.ToString(CultureInfo.InvariantCulture)}).");
            return ExitCodes.UsageError;
        }

        ConsistencyProof? proof = null;
        long trailSize;
        try
        {
            await using var trail = await target.OpenReadOnlyAsync(cancellationToken);
            trailSize = await trail.TreeSizeAsync(cancellationToken);
            if (size2 <= trailSize)
                proof = await trail.ConsistencyProofAsync(size1, size2, cancellationToken);
        }
        catch (Exception exception) when (target.Describe(exception) is { } message)
        {
            io.Fail(message);
            return ExitCodes.TrailUnavailable;
        }

        var consistent = proof is not null
            && MerkleProof.VerifyConsistency(size1, size2, older.Checkpoint.RootHash, newer.Checkpoint.RootHash, proof.Path);
        var reason = proof is null
            ? $"the trail holds {trailSize.ToString(CultureInfo.InvariantCulture)} records, fewer than the {size2.ToString(CultureInfo.InvariantCulture)} of --to: it was truncated or rolled back"
            : consistent
                ? $"the log of {size1.ToString(CultureInfo.InvariantCulture)} records is a prefix of the log of {size2.ToString(CultureInfo.InvariantCulture)}"
                : "the trail's records do not prove the newer checkpoint extends the older one: the log was rewritten between them, or the trail is not that log";
        if (json)
        {
            JsonOutput.WriteLine(io.Out, w =>
            {
                w.WriteStartObject();
                w.WriteString("trail", path);
                w.WriteNumber("size1", size1);
                w.WriteNumber("size2", size2);
                w.WriteString("root1", older.Checkpoint.RootHex);
                w.WriteString("root2", newer.Checkpoint.RootHex);
                w.WriteStartArray("proof");
                foreach (var node in proof?.Path ?? [])
                    w.WriteStringValue(Convert.ToHexStringLower(node));
                w.WriteEndArray();
                w.WriteBoolean("signaturesVerified", key is not null);
                w.WriteBoolean("consistent", consistent);
                w.WriteString("reason", reason);
                w.WriteEndObject();
            });
        }
        else
        {
            io.Out.WriteLine($"Trail: {path}");
            io.Out.WriteLine($"From: {older.Checkpoint.Origin} size {size1.ToString(CultureInfo.InvariantCulture)} root {older.Checkpoint.RootHex}");
            io.Out.WriteLine($"To: {newer.Checkpoint.Origin} size {size2.ToString(CultureInfo.InvariantCulture)} root {newer.Checkpoint.RootHex}");
            io.Out.WriteLine(key is null ? "Signatures: not checked (no --key)" : "Signatures: verified");
            if (proof is not null)
            {
                io.Out.WriteLine($"Proof ({proof.Path.Count.ToString(CultureInfo.InvariantCulture)} hashes):");
                foreach (var node in proof.Path)
                    io.Out.WriteLine($"  {Convert.ToHexStringLower(node)}");
            }
            io.Out.WriteLine(consistent ? $"Result: consistent: {reason}" : $"Result: INCONSISTENT: {reason}");
        }
        return consistent ? ExitCodes.Success : ExitCodes.Tampered;
    }
}
