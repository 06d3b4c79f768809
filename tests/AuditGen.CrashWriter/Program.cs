// Usage:
//   AuditGen.CrashWriter <path> append [writers]   appends forever with several concurrent writers and prints
//                                                  "ACK <sequence> <hash>" for every acknowledged (durable) record.
//   AuditGen.CrashWriter <path> lock               tries to open the trail for writing and prints "LOCKED <message>"
//                                                  or "OPENED".
//   AuditGen.CrashWriter <path> erase <step>      seals notes of MRN-ALICE and MRN-BOB, prints "WRITTEN", then erases
//                                                  MRN-ALICE and kills itself (SIGKILL) at erasure step <step>.
//   AuditGen.CrashWriter <path> append <writers> <signing key file> <export dir> <every>
//                                                  as append, signing a checkpoint every <every> records.
//   AuditGen.CrashWriter <path> archive <archive dir> <step> <sequences, comma-separated>
//                                                  archives the sequences and, on reaching <step> (see
//                                                  LiteDbAuditTrail.ArchiveStepReached), prints "AT <step>" and waits
//                                                  to be killed; prints "DONE" if the step never came.
using AuditGen;
using AuditGen.Archive;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: AuditGen.CrashWriter <path> append [writers] | lock");
    return 2;
}

var path = args[0];
var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };

if (args[1] == "lock")
{
    try
    {
        await using var trail = AuditTrail.OpenLiteDb(path);
        output.WriteLine("OPENED");
        return 0;
    }
    catch (AuditTrailLockedException e)
    {
        output.WriteLine("LOCKED " + e.Message);
        return 0;
    }
}

if (args[1] == "archive")
{
    var stopAt = args[3];
    var sequences = args[4].Split(',').Select(s => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    var archiving = AuditTrail.OpenLiteDb(path);
    archiving.ArchiveStepReached = step =>
    {
        if (step != stopAt)
            return;
        output.WriteLine("AT " + step);
        Thread.Sleep(Timeout.Infinite); // the parent SIGKILLs us here, between two steps
    };
    await archiving.ArchiveAsync(new ArchiveSelection(sequences, """{"reason":"crash test"}"""), new FolderArchiveTarget(args[2]));
    output.WriteLine("DONE");
    return 0;
}
if (args[1] == "erase")
    return await AuditGen.CrashWriter.EraseCrash.RunAsync(path, args[2], output);

var writers = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 8;
var options = new AuditTrailOptions();
if (args.Length > 5)
{
    options.Checkpoints = new CheckpointOptions
    {
        SigningKeyPath = args[3],
        ExportDirectory = args[4],
        EveryRecords = int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture),
    };
}
var trailToKill = AuditTrail.OpenLiteDb(path, options);
output.WriteLine("READY");
var gate = new object();
var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    for (var i = 0; ; i++)
    {
        var record = await trailToKill.AppendAsync(new AuditEntry
        {
            Action = AuditAction.ToolCompleted,
            ActorId = $"writer-{w}",
            ToolName = "crash_test",
            Details = $"{{\"i\":{i}}}",
        });
        lock (gate)
            output.WriteLine($"ACK {record.Sequence} {record.Hash}");
    }
})).ToArray();
await Task.WhenAll(tasks);
return 0;
