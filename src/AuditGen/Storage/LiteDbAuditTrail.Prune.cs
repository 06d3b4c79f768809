using AuditGen.Storage;
using AuditGen.Storage.Journal;
using LiteDB;

namespace AuditGen;

public sealed partial class LiteDbAuditTrail
{
    // Frames per redo intent: bounds the intent file (52 bytes a frame) and how long verification waits on a rewrite.
    private const int PruneChunk = 65_536;
    private const int StubUpsertChunk = 4096;

    private readonly JournalRewriteGate _rewriteGate = new();

    // Replaces the scanned records' journal frames and query-store documents by stubs, chunk by chunk, each chunk under a
    // durable redo intent. Frames that are stubs already (a resumed run) only get their documents checked.
    private void Prune(JournalScan scan, IProgress<long>? progress)
    {
        var intentPath = PruneIntent.PathFor(_path);
        var pending = new List<PruneTarget>();
        var done = 0L;
        var total = scan.Targets.Count;
        for (var i = 0; i < total; i++)
        {
            if (scan.AlreadyStub[i])
            {
                EnsureStubDocument(scan.Targets[i], scan.Hashes[i], scan.SegmentId);
                done++;
                continue;
            }
            pending.Add(scan.Targets[i]);
        }

        for (var start = 0; start < pending.Count; start += PruneChunk)
        {
            var chunk = pending.GetRange(start, Math.Min(PruneChunk, pending.Count - start));
            var intent = new PruneIntent(scan.SegmentId, chunk);
            intent.WriteDurably(intentPath);
            Step("intent-written");
            var middle = chunk[chunk.Count / 2].Sequence;
            using (_rewriteGate.Write())
            {
                var hashes = intent.Apply(_journal, sequence =>
                {
                    if (sequence == middle)
                        Step("pruning");
                });
                ReplaceWithStubs(_records, chunk, hashes, scan.SegmentId);
                MakeQueryStoreDurable(_path, _database);
            }
            PruneIntent.Delete(intentPath);
            done += chunk.Count;
            progress?.Report(2L * total + done);
        }
        progress?.Report(3L * total);
    }

    private void EnsureStubDocument(PruneTarget target, byte[] hash, string segmentId)
    {
        if (_records.FindById(target.Sequence) is { } document && LiteDbStubs.IsStub(document))
            return;
        _records.Upsert(LiteDbStubs.ToDocument(target.Sequence, Integrity.HashHex.Encode(hash), target.Leaf, segmentId));
    }

    private static void ReplaceWithStubs(ILiteCollection<BsonDocument> records, IReadOnlyList<PruneTarget> targets, IReadOnlyList<string> hashes, string segmentId)
    {
        var documents = new List<BsonDocument>(Math.Min(targets.Count, StubUpsertChunk));
        for (var i = 0; i < targets.Count; i++)
        {
            documents.Add(LiteDbStubs.ToDocument(targets[i].Sequence, hashes[i], targets[i].Leaf, segmentId));
            if (documents.Count == StubUpsertChunk || i == targets.Count - 1)
            {
                records.Upsert(documents);
                documents.Clear();
            }
        }
    }

    // LiteDB's commit queues its pages; a checkpoint writes them into the data file, and the fsync makes the removal
    // durable before the intent that would redo it is deleted.
    private static void MakeQueryStoreDurable(string path, LiteDatabase database)
    {
        database.Checkpoint();
        DirectorySync.FlushFile(path);
    }

    // On a writer's open, before the journal is read: an intent left by a crash is redone (a torn one touched nothing).
    private static (PruneIntent Intent, List<string> Hashes)? RedoInterruptedPrune(string path, IJournalFile journal)
    {
        var intentPath = PruneIntent.PathFor(path);
        if (!File.Exists(intentPath))
            return null;
        var intent = PruneIntent.TryRead(intentPath);
        if (intent is null)
        {
            PruneIntent.Delete(intentPath);
            return null;
        }
        return (intent, intent.Apply(journal));
    }

    // After recovery brought the query store level with the journal: the redone frames' documents become stubs too.
    private static void FinishPrune(string path, LiteDatabase database, ILiteCollection<BsonDocument> records, PruneIntent intent, List<string> hashes)
    {
        ReplaceWithStubs(records, intent.Targets, hashes, intent.SegmentId);
        MakeQueryStoreDurable(path, database);
        PruneIntent.Delete(PruneIntent.PathFor(path));
    }
}
